"""Arrow's memory pool for a run's processes: jemalloc where pyarrow has it.

pyarrow's default pool on Linux is mimalloc. Measured on the 320k dedup bench (2 cores, runs
alternated four times each), jemalloc made `datamill run` faster and steadier, with less
memory: a median of 13.8 s (13.8-14.0) against 14.0 s (13.5-14.7), and peak memory
0.91-0.95 GiB against 1.04-1.08 GiB. A pool the user chose in ARROW_DEFAULT_MEMORY_POOL is
kept.
"""

from __future__ import annotations

import os

POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"
POOL = "jemalloc"


def use_run_pool() -> None:
    """jemalloc as this process's default pool and, through the environment, that of the
    processes it starts (a local Ray's raylet and workers); nothing if the user set
    ARROW_DEFAULT_MEMORY_POOL or pyarrow was built without jemalloc."""
    import pyarrow as pa

    if POOL_VARIABLE in os.environ or POOL not in pa.supported_memory_backends():
        return
    os.environ[POOL_VARIABLE] = POOL
    pa.set_memory_pool(pa.jemalloc_memory_pool())
