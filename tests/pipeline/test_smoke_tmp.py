from pipeline import outputs


def test_smoke(run, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text("你好，世界。这是一个测试。")
    (d / "b.txt").write_text("你好，世界。这是一个测试。")
    state = run({"name": "s", "sources": [{"name": "f", "kind": "files", "paths": ["in"], "files_per_shard": 1}],
                 "stages": [{"stage": "normalize"}, {"stage": "dedup_exact"}]})
    assert state["totals"] == {"docs_in": 2, "kept": 1, "rejected": 1}
    assert outputs.kept(tmp_path / "run").num_rows == 1
