"""The run directory (docs/architecture.md, Segments): paths, atomic writes, checkpoints, run.json."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from datamill.pipeline.errors import ConfigError
from datamill.pipeline.stage import SCRATCH

SUCCESS = "_SUCCESS"
FINGERPRINT = "_fingerprint"
SHARD_MARKERS = "_shards"
LOCK = "run.lock"


class RunDirLocked(ConfigError):
    """Another run holds the run directory: stops at start-up (exit 2), naming the holder."""


@contextmanager
def naming(path: Path) -> Iterator[None]:
    """An OSError raised inside (pyarrow's write errors name no file) names `path`."""
    try:
        yield
    except OSError as exc:
        if exc.filename is not None:
            raise
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc


def no_space(exc: BaseException) -> OSError | None:
    """The 'no space left on device' error in `exc` or what caused it (Ray wraps a worker's
    exception), None if there is none."""
    seen, first = set(), exc
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return exc
        exc = getattr(exc, "cause", None) or exc.__cause__ or exc.__context__
    if "No space left on device" in str(first):  # only the message crossed the process boundary
        return OSError(errno.ENOSPC, "No space left on device")
    return None


def write_json_atomic(data: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with naming(path):
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


class RunDir:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.run_json = root / "run.json"

    @contextmanager
    def locked(self) -> Iterator[dict[str, Any] | None]:
        """Hold the run directory for one run: an advisory lock on `run.lock` (released by the
        kernel when the process dies), which names the holder (host, pid, start time). Yields
        the holder a dead process left in the file (the lock is taken over), else None."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK
        handle = path.open("a+", encoding="utf-8")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "unknown"
                raise RunDirLocked(
                    f"run directory {self.root} is in use by another run ({holder});"
                    " wait for it to finish or use another --run-dir"
                ) from None
            handle.seek(0)
            left = handle.read().strip()
            handle.seek(0)
            handle.truncate()
            holder = {
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "started_at": datetime.now(UTC).isoformat(),
            }
            handle.write(json.dumps(holder) + "\n")
            handle.flush()
            try:
                yield json.loads(left) if left.startswith("{") else None
            finally:
                path.unlink(missing_ok=True)  # still ours: only a killed run leaves its file
        finally:
            handle.close()

    def segment(self, index: int, name: str) -> Path:
        """The folder of a rows pass: the rows it kept."""
        return self.root / "stages" / f"{index:02d}-{name}"

    def decisions(self, index: int, name: str) -> Path:
        """The folder of a global stage's decisions."""
        return self.root / "decisions" / f"{index:02d}-{name}"

    def remove_temporaries(self) -> None:
        """Files a killed attempt left half-written (hidden `.*.tmp` names, renamed into place
        only when complete) and scratch folders: nothing is committed under such names."""
        for tmp in self.root.rglob(".*.tmp"):
            tmp.unlink(missing_ok=True)
        for scratch in self.root.glob(f"decisions/*/{SCRATCH}"):
            shutil.rmtree(scratch, ignore_errors=True)

    def rejected(self, stage: str) -> Path:
        return self.root / "rejected" / stage

    def prepare_segment(self, path: Path, fingerprint: str, stages: list[str]) -> None:
        """Keep the segment's checkpoints if its fingerprint matches, else start it afresh
        (and drop the rejected rows its stages wrote under the old fingerprint)."""
        marker = path / FINGERPRINT
        if marker.exists() and marker.read_text().strip() == fingerprint:
            return
        for folder in [path, *(self.rejected(s) for s in stages)]:
            shutil.rmtree(folder, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)
        (path / SHARD_MARKERS).mkdir()
        marker.write_text(fingerprint + "\n")

    def shard_marker(self, segment: Path, key: str) -> Path:
        return segment / SHARD_MARKERS / f"{key}.json"

    def read_run_json(self) -> dict[str, Any]:
        if self.run_json.exists():
            return json.loads(self.run_json.read_text(encoding="utf-8"))
        return {}

    def write_run_json(self, data: dict[str, Any]) -> None:
        write_json_atomic(data, self.run_json)
