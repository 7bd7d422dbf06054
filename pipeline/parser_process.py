"""Parsing untrusted documents in a child process under a time and memory limit.

lxml, trafilatura and MuPDF run C code a Python thread cannot interrupt, so a stage that parses
hostile input (`extract_html`, `extract_pdf`) hands its documents to a child process:
`ParserProcess` keeps one child (`python -m datamill.pipeline.parser_process SPEC FD`) and sends
it documents in chunks (up to `CHUNK_DOCS` documents or `CHUNK_BYTES`); the child replies with
the results so far when the chunk is done or `REPLY_SECONDS` have passed since its last reply,
so the parent wakes once per chunk of fast documents, not once per document.

The time limit is per document. Before each document the child writes the document's number
and its start time (CLOCK_MONOTONIC, shared by all processes) into a shared memory page (the
memfd `FD`); the parent sleeps until the chunk's reply or the deadline of the document in
flight, whichever comes first. A document still in flight at its deadline gets
`{"reason": "timeout"}`, its child is killed and a fresh child takes the rest. A child that
dies (a crash in a C library, the memory limit, a SIGKILL from outside) is restarted and given
the document it was on once more: if that crashes it too, the document gets
`{"reason": "parser_crashed", "detail": "signal_N"}`; a one-off kill costs nothing. Either way
the results the child had not yet replied with died with it: those documents are parsed again
(the same bytes give the same result), at most `REPLY_SECONDS` of work redone per failure.
Results travel as JSON, never pickle, so a compromised parser cannot run code in the parent.

The child runs a *handler*: `"module:function"`, where `function(options) -> parse` is called
once in the child (under the memory limit; heavy imports go there) and `parse(request: bytes)
-> dict` once per document.
"""

from __future__ import annotations

import importlib
import json
import mmap
import os
import struct
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from typing import Any

READY = b"ready"
STARTUP_TIMEOUT = 120.0  # seconds for the child to import its libraries (a loaded machine is slow)
CHUNK_DOCS = 16  # documents per chunk
CHUNK_BYTES = 8 << 20  # and at most this many bytes of them (a larger document goes alone)
REPLY_SECONDS = 1.0  # the child sends the results it has once this much time has passed
# the child's progress: number of the document it is on (counted from 0 over the child's life;
# -1 before the first), the CLOCK_MONOTONIC nanoseconds at which it began
_PROGRESS = struct.Struct("<qq")
_COUNT = struct.Struct("<I")  # the message opening a chunk: how many documents follow


@dataclass(frozen=True)
class ParserSpec:
    handler: str  # "module:function", see the module docstring
    options: dict[str, Any] = field(default_factory=dict)  # JSON, handed to the handler
    max_memory_mb: int = 4096  # address-space limit of the child (RLIMIT_AS)
    test_hang_marker: str | None = None  # test hook: a document containing it parses forever
    test_crash_marker: str | None = None  # test hook: a document containing it kills the child


def _serve(spec: ParserSpec, progress_fd: int) -> None:
    import resource
    import signal

    out = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # stray prints must not corrupt the result pipe
    source = Connection(0, writable=False)
    progress = mmap.mmap(progress_fd, _PROGRESS.size)
    os.close(progress_fd)
    limit = spec.max_memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    module, _, name = spec.handler.partition(":")
    parse = getattr(importlib.import_module(module), name)(spec.options)  # before "ready": time
    out.send_bytes(READY)  # limits count parsing only
    hang = spec.test_hang_marker.encode() if spec.test_hang_marker else None
    crash = spec.test_crash_marker.encode() if spec.test_crash_marker else None
    number = 0
    while True:
        try:  # a chunk: its number of documents, then each document
            (count,) = _COUNT.unpack(source.recv_bytes())
            docs = [source.recv_bytes() for _ in range(count)]
        except EOFError:
            return
        payloads, replied = [], time.monotonic()
        for n, raw in enumerate(docs, 1):
            _PROGRESS.pack_into(progress, 0, number, time.monotonic_ns())
            number += 1
            if hang and hang in raw:
                time.sleep(3600)
            if crash and crash in raw:
                os.kill(os.getpid(), signal.SIGSEGV)
            payloads.append(_parsed(parse, raw))
            if n == len(docs) or time.monotonic() - replied >= REPLY_SECONDS:
                out.send_bytes(b"[" + b",".join(payloads) + b"]")  # the next results, in order
                payloads, replied = [], time.monotonic()


def _parsed(parse, raw: bytes) -> bytes:
    """`parse(raw)` as JSON; a parser bug or the memory limit on one document is its result."""
    try:
        result = parse(raw)
    except MemoryError:
        result = {"reason": "out_of_memory"}
    except Exception as exc:  # a parser bug on one document: report it, keep serving
        result = {"reason": "parse_error", "detail": type(exc).__name__}
    try:
        return json.dumps(result, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in a string: escaped, read back the same
        return json.dumps(result).encode("ascii")
    except MemoryError:
        return b'{"reason": "out_of_memory"}'


class ParserProcess:
    """One child process running `spec.handler`; `parse_many` never lets a document run
    longer than `timeout` (after the child has started)."""

    def __init__(self, spec: ParserSpec, timeout: float) -> None:
        self.spec = spec
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def _start(self) -> None:
        fd = os.memfd_create("datamill-parser-progress")
        try:
            os.ftruncate(fd, _PROGRESS.size)
            self.progress = mmap.mmap(fd, _PROGRESS.size)
            _PROGRESS.pack_into(self.progress, 0, -1, 0)
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "datamill.pipeline.parser_process",
                    json.dumps(asdict(self.spec)),
                    str(fd),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                close_fds=True,
                pass_fds=(fd,),
            )
        finally:
            os.close(fd)
        self.sent = 0  # documents sent to this child
        self.send = Connection(os.dup(self.proc.stdin.fileno()), readable=False)
        self.recv = Connection(os.dup(self.proc.stdout.fileno()), writable=False)
        self.proc.stdin.close()
        self.proc.stdout.close()
        ready = self.recv.poll(STARTUP_TIMEOUT) and self._read_ready()
        if not ready:
            self.close()
            raise RuntimeError(
                f"the parser process ({self.spec.handler}) did not start within {STARTUP_TIMEOUT} s"
            )

    def _read_ready(self) -> bool:
        try:
            return self.recv.recv_bytes() == READY
        except (EOFError, OSError):
            return False

    def close(self) -> None:
        if self.proc is None:
            return
        self.proc.kill()
        self.proc.wait()
        self.send.close()
        self.recv.close()
        self.progress.close()
        self.proc = None

    def __del__(self) -> None:
        self.close()

    def parse_many(self, raws: list[bytes]) -> list[dict[str, Any]]:
        """One result per document, in order (see the module docstring for the failures)."""
        results: dict[int, dict[str, Any]] = {}
        pending = list(range(len(raws)))  # documents without a result, in order
        crashed_once: set[int] = set()  # documents that crashed a child, given one more child
        while pending:
            if self.proc is None:
                self._start()
            replies, failed = self._parse_chunk(_chunk([raws[i] for i in pending[:CHUNK_DOCS]]))
            for reply in replies:
                results[pending.pop(0)] = reply
            if failed is None:
                continue
            self.close()
            self.restarts += 1
            at, failure = failed  # the failed document's place among those still pending
            doc = pending[at]
            if failure["reason"] == "parser_crashed" and doc not in crashed_once:
                crashed_once.add(doc)  # the same document once more, in a fresh child
                continue
            results[doc] = failure
            del pending[at]
        return [results[i] for i in range(len(raws))]

    def _parse_chunk(self, docs: list[bytes]) -> tuple[list[dict[str, Any]], tuple[int, dict] | None]:
        """The results of `docs` and None; after a timeout or the child's death, the results it
        had sent and (the failed document's place among the documents after those, its result)."""
        first = self.sent
        try:
            self.send.send_bytes(_COUNT.pack(len(docs)))
            for doc in docs:
                self.send.send_bytes(doc)
        except OSError:  # the child died before it read them
            return [], (0, self._crashed())
        self.sent += len(docs)
        sent_at = time.monotonic()
        replies: list[dict[str, Any]] = []
        while len(replies) < len(docs):
            number, started = self._in_flight()
            deadline = (started / 1e9 if number >= first else sent_at) + self.timeout
            if self.recv.poll(max(0.0, deadline - time.monotonic())):
                try:
                    replies += json.loads(self.recv.recv_bytes())
                except (EOFError, OSError):
                    return replies, (self._place(first, len(replies)), self._crashed())
            elif self._in_flight() == (number, started):  # still on the same document
                return replies, (self._place(first, len(replies)), {"reason": "timeout"})
        if len(replies) != len(docs):
            raise RuntimeError(f"the parser process sent {len(replies)} results for {len(docs)}")
        return replies, None

    def _place(self, first: int, replied: int) -> int:
        """Where the document in flight is among those of a chunk (numbered from `first`) after
        the first `replied`: 0 if the child was between two documents."""
        return max(0, self._in_flight()[0] - first - replied)

    def _in_flight(self) -> tuple[int, int]:
        """(number, start in ns) of the document the child is on; read until two reads agree,
        so a read torn by the child's write is never used."""
        last = _PROGRESS.unpack_from(self.progress)
        while (now := _PROGRESS.unpack_from(self.progress)) != last:
            last = now
        return last

    def _crashed(self) -> dict[str, Any]:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = 0
        detail = f"signal_{-code}" if code < 0 else f"exit_{code}"
        return {"reason": "parser_crashed", "detail": detail}


def _chunk(docs: list[bytes]) -> list[bytes]:
    """The first of `docs` up to `CHUNK_BYTES` (at least one)."""
    size = 0
    for n, doc in enumerate(docs):
        size += len(doc)
        if size > CHUNK_BYTES and n:
            return docs[:n]
    return docs


if __name__ == "__main__":
    _serve(ParserSpec(**json.loads(sys.argv[1])), int(sys.argv[2]))
