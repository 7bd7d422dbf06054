"""`datamill verify` passes a finished run and names what is wrong in a damaged one."""

import json
import shutil
from pathlib import Path

import pytest

from datamill.pipeline.cli import main
from tests.corpus import article


@pytest.fixture(scope="module")
def finished(ray_session, tmp_path_factory) -> Path:
    from tests.conftest import run_pipeline

    base = tmp_path_factory.mktemp("verify")
    lines = [{"text": article(i, "en"), "url": f"https://v.example/{i}"} for i in range(4)]
    lines += [lines[0], {"text": "", "url": "https://v.example/empty"}]  # an exact copy, an empty text
    (base / "docs.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    config = {
        "name": "verify",
        "sources": [{"name": "d", "kind": "jsonl", "paths": ["docs.jsonl"]}],
        "stages": [{"stage": "normalize"}, {"stage": "dedup_exact"}],
    }
    run_pipeline(config, base, base / "run")
    return base / "run"


def _copy(finished: Path, tmp_path: Path) -> Path:
    shutil.copytree(finished, tmp_path / "run")
    return tmp_path / "run"


def test_a_finished_run_verifies(finished, capsys):
    assert main(["verify", str(finished)]) == 0
    assert (
        capsys.readouterr().out == f"{finished}: ok (3 segments, 4 rows kept, 2 rejected, every file read)\n"
    )


def test_a_lost_rejected_file_is_named(finished, tmp_path, capsys):
    run = _copy(finished, tmp_path)
    for path in (run / "rejected" / "dedup_exact").glob("*.parquet"):
        path.unlink()
    assert main(["verify", str(run)]) == 1
    assert "  rejected/: 1 rows, run.json counts 2\n" in capsys.readouterr().err


def test_an_unreadable_file_and_an_id_kept_twice_are_named(finished, tmp_path, capsys):
    run = _copy(finished, tmp_path)
    output = run / json.loads((run / "run.json").read_text())["output"]
    kept = sorted(output.glob("*.parquet"))[0]
    shutil.copy(kept, output / "extra.parquet")
    rejected = next((run / "rejected" / "normalize").glob("*.parquet"))
    rejected.write_bytes(b"not parquet")
    assert main(["verify", str(run)]) == 1
    err = capsys.readouterr().err
    assert f"  {output.relative_to(run)}: file extra.parquet has no shard marker\n" in err
    assert "  4 id(s) kept twice, e.g. " in err
    assert f"  {rejected}: unreadable Parquet (" in err


def test_an_unfinished_run_is_named(finished, tmp_path, capsys):
    run = _copy(finished, tmp_path)
    state = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**state, "status": "running"}))
    assert main(["verify", str(run)]) == 1
    assert f"  {run}: the run is 'running', not done (re-run it to finish)\n" in capsys.readouterr().err
