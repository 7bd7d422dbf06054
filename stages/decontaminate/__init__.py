"""Benchmark decontamination: documents overlapping user-given benchmark items by normalised
n-grams are rejected, or the overlapping spans cut (`stage.py`)."""
