"""Shared fixtures: one local Ray per test session, and a helper to run a pipeline in-process.

Ray must start inside a private network namespace here (see README, Development); `.ci/run`
does that for the whole suite.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")


@pytest.fixture(scope="session")
def ray_session():
    import ray

    from datamill.pipeline import ray_session as session
    from datamill.pipeline.config import RayConfig

    session.init(RayConfig(num_cpus=2, object_store_fraction=0.1))
    yield ray
    ray.shutdown()


def run_pipeline(
    config: dict[str, Any], base_dir: Path, run_dir: Path, overrides: list[str] = ()
) -> dict[str, Any]:
    """Write `config` as YAML under `base_dir` and run it with the real runner (in-process)."""
    from datamill.pipeline import config as config_mod
    from datamill.pipeline.runner import Runner

    path = base_dir / f"{config['name']}.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    loaded = config_mod.load(path, list(overrides))
    return Runner(loaded, run_dir, progress=False).run()


def run_command(config: Path, run_dir: Path, *extra: str) -> list[str]:
    """`datamill run CONFIG --run-dir RUN_DIR --quiet [extra]` as a subprocess command line."""
    import sys

    cli = [sys.executable, "-m", "datamill.pipeline.cli", "run", str(config)]
    return [*cli, "--run-dir", str(run_dir), "--quiet", *extra]


@pytest.fixture
def run(ray_session, tmp_path):
    """`run(config_dict)` -> run.json state; the run directory is `tmp_path / "run"`."""

    def _run(config: dict[str, Any], overrides: list[str] = ()) -> dict[str, Any]:
        return run_pipeline(config, tmp_path, tmp_path / "run", overrides)

    return _run
