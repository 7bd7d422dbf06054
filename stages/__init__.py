"""datamill stages: the catalogue, one module or subpackage per stage (docs/architecture.md, Layout)."""
