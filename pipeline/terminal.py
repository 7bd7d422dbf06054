"""Keep the terminal for datamill's own output while Ray runs.

Ray's start-up writes warnings to the process's stderr from C++ (IP detection, actor-restart
notes) and from its Python loggers (token-auth notice, Ray Data's per-dataset lines); its
daemons inherit that stderr too. `ray_output_to` points file descriptor 2 at a log file for
the length of a command, so all of that lands in the log, while `sys.stderr` (progress bars,
error messages) still writes to the terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def ray_output_to(log_path: Path) -> Iterator[None]:
    """Send everything written to file descriptor 2 (by Ray and the processes it starts) to
    `log_path` (appended), keeping Python's `sys.stderr` on the terminal; restores both."""
    import ray  # noqa: F401  (its loggers bind to the stderr stream of fd 2 now, not to ours)

    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved_fd = os.dup(2)
    terminal = os.fdopen(os.dup(saved_fd), "w", buffering=1, encoding="utf-8", errors="replace")
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    saved_stream, sys.stderr = sys.stderr, terminal
    try:
        yield
    finally:
        sys.stderr = saved_stream
        saved_stream.flush()
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        terminal.close()


def import_ray_data():
    """`ray.data`, imported with its loggers bound to file descriptor 2 (the log while
    `ray_output_to` holds it), not to the terminal; imported where it is used, as it costs a
    driver 0.4 s that runs without Ray Data would pay."""
    saved, sys.stderr = sys.stderr, sys.__stderr__ or sys.stderr
    try:
        import ray.data
    finally:
        sys.stderr = saved
    return ray.data
