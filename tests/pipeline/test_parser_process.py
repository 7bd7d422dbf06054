"""The parser process: documents go in chunks, the time limit stays per document, and a failure
costs its document and at most the work the child had not yet replied with."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from datamill.pipeline import parser_process
from datamill.pipeline.parser_process import ParserProcess, ParserSpec

ROOT = Path(__file__).resolve().parents[2]


def handler(options: dict) -> Callable[[bytes], dict]:
    """Echoes a document and logs it to `options["log"]`; `sleep:S` sleeps S seconds first."""

    def parse(raw: bytes) -> dict:
        text = raw.decode()
        with open(options["log"], "a", encoding="utf-8") as log:
            log.write(text + "\n")
        if text.startswith("sleep:"):
            time.sleep(float(text.removeprefix("sleep:")))
        return {"echo": text}

    return parse


@pytest.fixture
def parser(monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the child imports this module
    handler = f"tests.pipeline.{Path(__file__).stem}:handler"
    parser = ParserProcess(ParserSpec(handler, {"log": str(tmp_path / "log")}, test_hang_marker="HANG"), 1.0)
    yield parser
    parser.close()


def parsed(parser: ParserProcess) -> list[str]:
    """The documents the children parsed, in order (not those the hang hook held)."""
    return Path(parser.spec.options["log"]).read_text(encoding="utf-8").splitlines()


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


def test_results_older_than_a_second_are_not_parsed_again(parser):
    docs = [b"sleep:0.6", b"sleep:0.61", b"HANG", b"last"]  # the child replies after 1.2 s
    results = parser.parse_many(docs)
    assert results == [{"echo": "sleep:0.6"}, {"echo": "sleep:0.61"}, {"reason": "timeout"}, {"echo": "last"}]
    assert parsed(parser) == ["sleep:0.6", "sleep:0.61", "last"]
