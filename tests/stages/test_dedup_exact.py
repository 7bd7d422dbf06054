import pyarrow as pa

from datamill.pipeline.schema import conform
from datamill.pipeline.stage import RunContext
from datamill.stages.dedup_exact import DedupExact, DedupExactConfig, text_hashes


def test_text_hashes_equal_only_for_equal_text():
    hashes = text_hashes(pa.array(["去重", "去重", "去重 ", None, "dedup"], pa.large_string())).to_pylist()
    assert hashes[0] == hashes[1]
    assert len({hashes[0], hashes[2], hashes[4]}) == 3
    assert hashes[3] is None


def test_smallest_id_kept_and_every_row_has_its_cluster(ray_session, tmp_path):
    import ray.data

    rows = {
        "id": ["c3", "a1", "b2", "d4", "e5", "f6"],
        "text": ["同一段文字。", "同一段文字。", "同一段文字。", "other text", "other text", "unique"],
    }
    ds = ray.data.from_arrow(conform(pa.table(rows))).repartition(3)
    ctx = RunContext(run_dir=tmp_path, scratch=tmp_path / "scratch", num_cpus=2)
    out = DedupExact(DedupExactConfig(num_partitions=2)).run(ds, ctx)
    result = pa.concat_tables(list(out.rows.iter_batches(batch_format="pyarrow"))).sort_by("id")
    assert result.column("id").to_pylist() == ["a1", "b2", "c3", "d4", "e5", "f6"]
    assert result.column("dup_cluster").to_pylist() == ["a1", "a1", "a1", "d4", "d4", "f6"]
    assert result.column("drop_reason").to_pylist() == [
        None,
        "dedup_exact:duplicate_of:a1",
        "dedup_exact:duplicate_of:a1",
        None,
        "dedup_exact:duplicate_of:d4",
        None,
    ]
