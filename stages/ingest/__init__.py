"""Ingest: sources (WARC, folders of files, JSONL/Parquet) cut into shards and read as record batches."""
