"""Crawl: seed URLs fetched politely into WARC files that ingest reads."""
