"""Start or join Ray: a local Ray by default, a cluster with --address or RAY_ADDRESS."""

from __future__ import annotations

import logging
import os

from datamill.pipeline.config import RayConfig


def starts_local(config: RayConfig, address: str | None = None) -> bool:
    """Whether `init` will start a new local Ray (2-3 s here), not join a running one."""
    import ray

    return not (ray.is_initialized() or _address(config, address))


def _address(config: RayConfig, address: str | None) -> str | None:
    return address or config.address or os.environ.get("RAY_ADDRESS")


def init(config: RayConfig, address: str | None = None) -> int:
    """Connect (or start) Ray and return the cluster's CPU count."""
    import ray

    if ray.is_initialized():
        return int(ray.cluster_resources().get("CPU", 1))
    address = _address(config, address)
    common = {"logging_level": logging.WARNING, "log_to_driver": False}
    if address:
        ray.init(address=address, **common)
    else:
        total = _memory_bytes()
        ray.init(
            address="local",  # a new local Ray, never a cluster `ray start` left on this machine
            num_cpus=config.num_cpus or os.cpu_count() or 1,
            object_store_memory=int(total * config.object_store_fraction) if total else None,
            include_dashboard=False,
            # the driver's disconnect at the end waited 0.25 s to send the task events of a Ray
            # that stops with it (nothing reads them); they still go out every second meanwhile
            _system_config={"task_events_shutdown_flush_timeout_ms": 0},
            **common,
        )
    return int(ray.cluster_resources().get("CPU", 1))


def _memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return None
