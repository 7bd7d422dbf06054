"""The parser process: documents go in chunks, the time limit stays per document."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from datamill.pipeline import parser_process
from datamill.pipeline.parser_process import ParserProcess, ParserSpec

ROOT = Path(__file__).resolve().parents[2]


def handler(options: dict) -> Callable[[bytes], dict]:
    """Echoes a document; `sleep:S` sleeps S seconds first."""

    def parse(raw: bytes) -> dict:
        text = raw.decode()
        if text.startswith("sleep:"):
            time.sleep(float(text.removeprefix("sleep:")))
        return {"echo": text}

    return parse


@pytest.fixture
def parser(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the child imports this module
    spec = ParserSpec(f"tests.pipeline.{Path(__file__).stem}:handler", test_hang_marker="HANG")
    parser = ParserProcess(spec, timeout=1.0)
    yield parser
    parser.close()


def test_the_time_limit_is_per_document_not_per_chunk(parser):
    docs = [b"sleep:0.4"] * 5  # one chunk of 2 s, each document well inside 1 s
    assert parser.parse_many(docs) == [{"echo": "sleep:0.4"}] * 5
    assert parser.restarts == 0


def test_a_hang_costs_only_its_document(parser, monkeypatch):
    monkeypatch.setattr(parser_process, "CHUNK_DOCS", 3)
    docs = [f"doc {i}".encode() for i in range(8)]
    docs[4] = b"doc 4 HANG"  # the second chunk's second document
    results = parser.parse_many(docs)
    assert results[4] == {"reason": "timeout"}
    assert [r["echo"] for r in results[:4] + results[5:]] == [f"doc {i}" for i in (0, 1, 2, 3, 5, 6, 7)]
    assert parser.restarts == 1
    assert parser.parse_many([b"after"]) == [{"echo": "after"}]  # the fresh child serves on
