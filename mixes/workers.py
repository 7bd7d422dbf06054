"""Where an export's tasks run: Ray tasks when Ray is up (a cluster joined with `--address` or
RAY_ADDRESS, or the caller's own Ray), else a process pool, or this process for one worker.

A task's result depends only on its arguments, so the output is the same whatever runs it.
Results come back in the order of the arguments, each with the node that ran it.
"""

from __future__ import annotations

import ctypes
import importlib
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


def _call(fn: Callable, args: tuple) -> tuple[Any, str]:
    try:
        return fn(*args), _node()
    finally:  # a worker runs many tasks: what one freed must not stay with it
        release_unused()


def release_unused() -> None:
    """Give memory that is free but kept by the allocators back to the system: Arrow's pool
    (mimalloc keeps freed pages for reuse) and, on glibc, the heap, where freed NumPy arrays
    leave holes. Not doing so left 270 MB in the driver after pass one at 2M documents."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:  # pragma: no cover - no C library to load
        return None


_LIBC = _glibc()


def _import(module: str) -> None:
    importlib.import_module(module)


def _context() -> multiprocessing.context.BaseContext:
    """Processes forked from a fork server that has imported the tasks' modules once (spawned
    workers would each import them, competing with pass one for the cores; forking this
    process would fork polars' threads). The server's modules are fixed when it first starts."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([TASK_MODULE, "pyarrow.compute"])
    return context


@contextmanager
def _main_hidden() -> Iterator[None]:
    """Tasks are functions of datamill's modules, never of this program's main module: hide it
    while workers start, or each would import it again (the CLI with all its imports, a test
    runner, a script)."""
    main = sys.modules["__main__"]
    saved = {key: main.__dict__[key] for key in ("__spec__", "__file__") if key in main.__dict__}
    main.__dict__["__spec__"] = None
    main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        main.__dict__.update(saved)


def _running_ray() -> Any:
    """Ray's module if Ray is initialized in this process, else None. A process that has not
    imported Ray runs none, so it is not imported to ask (1.4 s and ~40 MB a process here)."""
    ray = sys.modules.get("ray")
    return ray if ray is not None and ray.is_initialized() else None


def _node() -> str:
    ray = _running_ray()
    return ray.get_runtime_context().get_node_id() if ray is not None else "local"


@dataclass
class Workers:
    """`kind`: ray, processes or serial; `count`: tasks run at once (at most)."""

    kind: str
    count: int
    nodes: set[str] = field(default_factory=set)
    _pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable, arguments: Sequence[tuple]) -> list[Any]:
        if not arguments:
            return []
        if self.kind == "ray":
            import ray

            # spread: the tasks read and write files, so use every node's disks and cores
            remote = ray.remote(num_cpus=1, max_retries=2, scheduling_strategy="SPREAD")(_call)
            refs, running = [], []
            for args in arguments:  # at most `count` tasks at once
                if len(running) >= self.count:
                    _, running = ray.wait(running, num_returns=1)
                refs.append(remote.remote(fn, args))
                running.append(refs[-1])
            pairs = ray.get(refs)
        elif self.kind == "processes" and len(arguments) > 1:
            self.warm()
            futures = [self._pool.submit(_call, fn, args) for args in arguments]
            pairs = [f.result() for f in futures]
        else:
            pairs = [_call(fn, args) for args in arguments]
        self.nodes.update(node for _, node in pairs)
        return [result for result, _ in pairs]

    def warm(self) -> None:
        """Start the pool's processes now, so that they are ready when the first tasks come;
        the caller goes on meanwhile."""
        if self.kind == "processes" and self._pool is None:
            self._pool = ProcessPoolExecutor(self.count, mp_context=_context())
            with _main_hidden():  # the processes start with these submissions
                for _ in range(self.count):
                    self._pool.submit(_import, TASK_MODULE)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


TASK_MODULE = "datamill.mixes.spill"  # imports the modules of every pass-two task
KINDS = ("auto", "ray", "processes", "serial")


SMALL_BYTES = 32 << 20  # inputs smaller than this are exported in-process (processes cost more)


def workers(
    count: int | None = None, address: str | None = None, kind: str = "auto", input_bytes: int | None = None
) -> Workers:
    """`auto`: Ray if an address is given (`--address`, else RAY_ADDRESS) or Ray already runs
    in this process, else a pool of `count` processes (default: the CPUs), or this process
    alone for one worker or inputs under SMALL_BYTES on disk (the same tasks, so the same
    output). `ray`, `processes`, `serial` ask for one of them."""
    if kind not in KINDS:
        raise ValueError(f"executor {kind!r}: expected one of {', '.join(KINDS)}")
    if kind == "serial":
        return Workers("serial", 1)
    if kind == "processes":
        return Workers("processes", max(1, count or os.cpu_count() or 1))
    address = address or os.environ.get("RAY_ADDRESS")
    if kind == "ray" or address or _running_ray() is not None:
        import ray

        if not ray.is_initialized():
            from datamill.pipeline import ray_session
            from datamill.pipeline.config import RayConfig

            ray_session.init(RayConfig(), address)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        return Workers("ray", max(1, count or cpus))
    count = max(1, count or os.cpu_count() or 1)
    small = input_bytes is not None and input_bytes < SMALL_BYTES
    return Workers("processes" if count > 1 and not small else "serial", 1 if small else count)
