"""Where a crawl shard writes: WARC.gz files (request + response records) and a log.

Every finished URL gets one log line (`log/shard-NNNNN.jsonl`), written after its records are
flushed to the WARC, with the byte range they occupy. A WARC being written is named `*.open`;
after a kill, the next run of the shard cuts it back to the end of the last logged URL and
renames it, so each URL is in the output exactly once and no finished URL is fetched again.
"""

from __future__ import annotations

import io
import json
import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from datamill.classifiers.optout import OPT_OUT_HEADER
from datamill.stages.ingest.crawl.net import Response

OPEN_SUFFIX = ".open"
# hop-by-hop framing we undo while reading (the recorded payload is de-chunked)
_DROPPED_HEADERS = ("transfer-encoding",)


def _warc_date(response: Response) -> str:
    return response.fetched_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write_exchange(writer: WARCWriter, response: Response, opt_out: str | None) -> None:
    """A response record and the request record that produced it."""
    headers = [(k, v) for k, v in response.headers if k.lower() not in _DROPPED_HEADERS]
    if opt_out:
        headers.append((OPT_OUT_HEADER, opt_out))
    status_line = f"{response.status} {response.reason}".strip()
    warc_headers = {"WARC-Date": _warc_date(response)}
    if response.peer_address:
        warc_headers["WARC-IP-Address"] = response.peer_address
    if response.truncated:
        warc_headers["WARC-Truncated"] = response.truncated
    record = writer.create_warc_record(
        response.url,
        "response",
        payload=io.BytesIO(response.body),
        http_headers=StatusAndHeaders(status_line, headers, protocol="HTTP/1.1"),
        warc_headers_dict=warc_headers,
    )
    parts = urlsplit(response.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = writer.create_warc_record(
        response.url,
        "request",
        payload=io.BytesIO(b""),
        http_headers=StatusAndHeaders(
            f"GET {target} HTTP/1.1", response.request_headers, is_http_request=True
        ),
        warc_headers_dict={
            "WARC-Date": _warc_date(response),
            "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID"),
        },
    )
    writer.write_record(record)
    writer.write_record(request)


class ShardStore:
    """The log and WARC files of one shard; thread-safe."""

    def __init__(self, out_dir: Path, shard: int, warc_max_bytes: int, prefix: str = "crawl") -> None:
        self.warc_dir = out_dir / "warc"
        self.log_path = out_dir / "log" / f"shard-{shard:05d}.jsonl"
        self.stem = f"{prefix}-{shard:05d}"
        self.warc_max_bytes = warc_max_bytes
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.done = self._read_log()
        self._recover()
        self._log = self.log_path.open("a", encoding="utf-8")
        self._file: io.BufferedWriter | None = None
        self._writer: WARCWriter | None = None
        self._path: Path | None = None

    def _read_log(self) -> dict[str, dict[str, Any]]:
        done: dict[str, dict[str, Any]] = {}
        if not self.log_path.exists():
            return done
        with self.log_path.open("rb") as handle:
            data = handle.read()
        good = data[: data.rfind(b"\n") + 1]  # a line cut by a kill is dropped
        if len(good) != len(data):
            with self.log_path.open("r+b") as handle:
                handle.truncate(len(good))
        for line in good.decode("utf-8").splitlines():
            entry = json.loads(line)
            done[entry["url"]] = entry
        return done

    def _recover(self) -> None:
        ends: dict[str, int] = {}
        for entry in self.done.values():
            if entry.get("warc"):
                ends[entry["warc"]] = max(ends.get(entry["warc"], 0), entry["end"])
        for path in sorted(self.warc_dir.glob(f"{self.stem}-*.warc.gz{OPEN_SUFFIX}")):
            final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
            keep = ends.get(final.name, 0)
            if keep == 0:
                path.unlink()
                continue
            with path.open("r+b") as handle:
                handle.truncate(keep)
            os.replace(path, final)

    def _next_path(self) -> Path:
        taken = {p.name.split(".")[0] for p in self.warc_dir.glob(f"{self.stem}-*")}
        n = 0
        while f"{self.stem}-{n:05d}" in taken:
            n += 1
        return self.warc_dir / f"{self.stem}-{n:05d}.warc.gz"

    def _open(self) -> None:
        self._path = self._next_path()
        self._file = (self._path.parent / (self._path.name + OPEN_SUFFIX)).open("wb")
        self._writer = WARCWriter(self._file, gzip=True)
        info = self._writer.create_warcinfo_record(
            self._path.name, {"software": "datamill crawl", "format": "WARC File Format 1.1"}
        )
        self._writer.write_record(info)

    def finish(
        self, entry: dict[str, Any], response: Response | None = None, opt_out: str | None = None
    ) -> None:
        """Record a finished URL: its exchange (if any) into the WARC, then its log line."""
        with self.lock:
            if response is not None:
                if self._writer is None:
                    self._open()
                start = self._file.tell()
                write_exchange(self._writer, response, opt_out)
                self._file.flush()
                entry.update(warc=self._path.name, offset=start, end=self._file.tell())
            self._log.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._log.flush()
            self.done[entry["url"]] = entry
            self.counts[entry["outcome"]] += 1
            if self._file is not None and self._file.tell() >= self.warc_max_bytes:
                self._close_warc()

    def _close_warc(self) -> None:
        if self._file is None:
            return
        self._file.close()
        os.replace(self._path.parent / (self._path.name + OPEN_SUFFIX), self._path)
        self._file = self._writer = self._path = None

    def close(self) -> None:
        with self.lock:
            self._close_warc()
            self._log.close()
