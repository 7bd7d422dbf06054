import pyarrow as pa
import xxhash

from datamill.pipeline.fused import run_global_stage
from datamill.pipeline.schema import conform
from datamill.stages.dedup_exact import DedupExact, DedupExactConfig, text_hashes


def test_text_hashes_equal_only_for_equal_text():
    h1, h2 = text_hashes(pa.array(["去重", "去重", "去重 ", None, "dedup", "", "x" * 17], pa.large_string()))
    hashes = list(zip(h1.tolist(), h2.tolist(), strict=True))
    assert hashes[0] == hashes[1]
    assert len({hashes[0], hashes[2], hashes[4], hashes[5], hashes[6]}) == 5
    assert hashes[3] == hashes[5]  # a null text hashes as the empty text
    assert hashes[0] == divmod(xxhash.xxh3_128_intdigest("去重".encode()), 1 << 64)  # XXH3-128 halves
    sliced = text_hashes(pa.array(["x", "dedup", None], pa.string()).slice(1))  # an array's offset
    assert list(zip(*(h.tolist() for h in sliced), strict=True)) == [hashes[4], hashes[5]]


def test_smallest_id_kept_and_every_row_has_its_cluster(ray_session, tmp_path):

    rows = {
        "id": ["c3", "a1", "b2", "d4", "e5", "f6"],
        "text": ["同一段文字。", "同一段文字。", "同一段文字。", "other text", "other text", "unique"],
    }
    stage = DedupExact(DedupExactConfig(num_partitions=2))
    result = run_global_stage(stage, conform(pa.table(rows)), tmp_path, 2, 3)[0].sort_by("id")
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
