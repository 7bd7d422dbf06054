"""Synthetic Q&A: documents cut into chunks, rewritten by vLLM (or a served model), validated."""
