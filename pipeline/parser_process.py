"""Parsing untrusted documents in a child process under a time and memory limit.

lxml, trafilatura and MuPDF run C code a Python thread cannot interrupt, so a stage that parses
hostile input (`extract_html`, `extract_pdf`) hands each document to a child process:
`ParserProcess` keeps one child (`python -m datamill.pipeline.parser_process SPEC`) and streams
documents to it over a pipe; each result must come back within `timeout` seconds, else the child
is killed, the document gets `{"reason": "timeout"}` and a fresh child takes the rest. A child
that dies (a crash in a C library, the memory limit, a SIGKILL from outside) is restarted and
given the same document once more: if that crashes it too, the document gets
`{"reason": "parser_crashed", "detail": "signal_N"}`; a one-off kill costs nothing. Results
travel as JSON, never pickle, so a compromised parser cannot run code in the parent.

The child runs a *handler*: `"module:function"`, where `function(options) -> parse` is called
once in the child (under the memory limit; heavy imports go there) and `parse(request: bytes)
-> dict` once per document.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from typing import Any

READY = b"ready"
STARTUP_TIMEOUT = 120.0  # seconds for the child to import its libraries (a loaded machine is slow)


@dataclass(frozen=True)
class ParserSpec:
    handler: str  # "module:function", see the module docstring
    options: dict[str, Any] = field(default_factory=dict)  # JSON, handed to the handler
    max_memory_mb: int = 4096  # address-space limit of the child (RLIMIT_AS)
    test_hang_marker: str | None = None  # test hook: a document containing it parses forever
    test_crash_marker: str | None = None  # test hook: a document containing it kills the child


def _serve(spec: ParserSpec) -> None:
    import resource
    import signal
    import time

    out = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # stray prints must not corrupt the result pipe
    source = Connection(0, writable=False)
    limit = spec.max_memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    module, _, name = spec.handler.partition(":")
    parse = getattr(importlib.import_module(module), name)(spec.options)  # before "ready": time
    out.send_bytes(READY)  # limits count parsing only
    hang = spec.test_hang_marker.encode() if spec.test_hang_marker else None
    crash = spec.test_crash_marker.encode() if spec.test_crash_marker else None
    while True:
        try:
            raw = source.recv_bytes()
        except EOFError:
            return
        if hang and hang in raw:
            time.sleep(3600)
        if crash and crash in raw:
            os.kill(os.getpid(), signal.SIGSEGV)
        try:
            result = parse(raw)
        except MemoryError:
            result = {"reason": "out_of_memory"}
        except Exception as exc:  # a parser bug on one document: report it, keep serving
            result = {"reason": "parse_error", "detail": type(exc).__name__}
        try:
            payload = json.dumps(result, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate in a string: escaped, read back the same
            payload = json.dumps(result).encode("ascii")
        out.send_bytes(payload)


class ParserProcess:
    """One child process running `spec.handler`; `parse_many` never blocks longer than
    `timeout` per document (after the child has started)."""

    def __init__(self, spec: ParserSpec, timeout: float) -> None:
        self.spec = spec
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def _start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "datamill.pipeline.parser_process", json.dumps(asdict(self.spec))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
        )
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
        self.proc = None

    def __del__(self) -> None:
        self.close()

    def _feed(self, raws: list[bytes]) -> None:
        try:
            for raw in raws:
                self.send.send_bytes(raw)
        except OSError:  # the child was killed or died: the reader reports it
            pass

    def parse_many(self, raws: list[bytes]) -> list[dict[str, Any]]:
        """One result per document, in order (see the module docstring for the failures)."""
        results: list[dict[str, Any]] = []
        crashed_once = -1  # the document that crashed a child, given one more child
        while len(results) < len(raws):
            if self.proc is None:
                self._start()
            feeder = threading.Thread(target=self._feed, args=(raws[len(results) :],), daemon=True)
            feeder.start()
            while len(results) < len(raws):
                result = self._next_result()
                if result.get("reason") in ("timeout", "parser_crashed"):
                    self.close()
                    self.restarts += 1
                    if result["reason"] == "parser_crashed" and crashed_once != len(results):
                        crashed_once = len(results)
                        break  # the same document once more, in a fresh child
                    results.append(result)
                    break
                results.append(result)
            feeder.join()
        return results

    def _next_result(self) -> dict[str, Any]:
        if not self.recv.poll(self.timeout):
            return {"reason": "timeout"}
        try:
            return json.loads(self.recv.recv_bytes())
        except (EOFError, OSError):
            try:
                code = self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = 0
            detail = f"signal_{-code}" if code < 0 else f"exit_{code}"
            return {"reason": "parser_crashed", "detail": detail}


if __name__ == "__main__":
    _serve(ParserSpec(**json.loads(sys.argv[1])))
