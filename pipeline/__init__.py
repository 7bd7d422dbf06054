"""datamill framework: config, record schema, stage contract, runner, run directory, CLI."""

__version__ = "0.1.0"
