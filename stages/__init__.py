"""datamill stages: one module per stage (DESIGN §2)."""
