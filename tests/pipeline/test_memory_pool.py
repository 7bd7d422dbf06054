"""A run's processes allocate Arrow memory from jemalloc unless the user chose a pool
(`pipeline/memory_pool.py`); each case runs in a fresh interpreter, where no pool is set yet."""

import os
import subprocess
import sys

PROBE = """
import json, os
import pyarrow as pa
import ray
from datamill.pipeline import memory_pool, ray_session
from datamill.pipeline.config import RayConfig

memory_pool.use_run_pool()
ray_session.init(RayConfig(num_cpus=1))
worker = ray.get(ray.remote(lambda: pa.default_memory_pool().backend_name).remote())
print(json.dumps([pa.default_memory_pool().backend_name, worker, os.environ.get(memory_pool.POOL_VARIABLE)]))
ray.shutdown()
"""


def _pools(chosen: str | None) -> str:
    """The pools of the driver and of a worker, and the variable as the driver left it (the
    environment the local Ray inherits), as JSON."""
    env = {k: v for k, v in os.environ.items() if k not in ("ARROW_DEFAULT_MEMORY_POOL", "RAY_ADDRESS")}
    if chosen:
        env["ARROW_DEFAULT_MEMORY_POOL"] = chosen
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300, env=env, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def test_the_driver_and_the_workers_of_a_local_ray_use_jemalloc():
    assert _pools(None) == '["jemalloc", "jemalloc", "jemalloc"]'


def test_a_pool_the_user_chose_is_kept():
    assert _pools("system") == '["system", "system", "system"]'
