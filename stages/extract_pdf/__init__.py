"""PDF text extraction in a parser child process (PyMuPDF)."""
