import json
import re
import unicodedata

import numpy as np
import pyarrow as pa
import pytest
import xxhash

from datamill.pipeline import outputs
from datamill.pipeline.fused import run_global_stage
from datamill.pipeline.schema import conform
from datamill.stages.dedup_minhash import buckets as minhash_buckets
from datamill.stages.dedup_minhash import clusters as minhash_clusters
from datamill.stages.dedup_minhash import components as minhash_components
from datamill.stages.dedup_minhash import precision
from datamill.stages.dedup_minhash.lsh import (
    ScatteredSignatures,
    bands_and_rows,
    estimated_jaccard,
    pair_jaccard,
)
from datamill.stages.dedup_minhash.shingles import batch_shingles
from datamill.stages.dedup_minhash.signatures import signatures
from datamill.stages.dedup_minhash.stage import DedupMinhash, DedupMinhashConfig
from tests.minhash_corpus import CorpusGenerator, exact_pairs, jaccard, pair_scores, reader_shingles

# -- shingles ---------------------------------------------------------------------------------


def _reference_tokens(text: str) -> list[str]:
    """Plain-Python tokenizer the vectorised one must agree with (on ASCII/CJK text)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"\d", "0", text)
    return re.findall(r"[\u4e00-\u9fff]|[a-z0-9]+", text)


def _reference_jaccard(x: str, y: str, n: int) -> float:
    def grams(text):
        tokens = _reference_tokens(text)
        return {tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1))}

    a, b = grams(x), grams(y)
    return len(a & b) / len(a | b)


def _shingle_lists(texts, n):
    sh = batch_shingles(pa.array(texts, pa.large_string()), n)
    off = sh.offsets
    return [sh.hashes[off[i] : off[i + 1]] for i in range(len(texts))]


def test_tokens_are_words_in_english_and_characters_in_chinese():
    # unigram shingles count the distinct tokens
    texts = ["用 GPT-4 训练模型", "the cat saw the dog", "大语言模型", "", None, "ab"]
    counts = [len(set(s.tolist())) for s in _shingle_lists(texts, 1)]
    assert counts == [7, 4, 5, 0, 0, 1]  # 用, gpt, 0 (digits become 0), 训, 练, 模, 型
    assert batch_shingles(pa.array(texts, pa.large_string()), 3).counts.tolist() == [5, 3, 3, 0, 0, 1]


def test_normalization_ignores_case_width_digits_and_punctuation():
    a, b, c = _shingle_lists(
        ["ＧＰＴ－４ 模型，２０２４年！Hello World", "gpt 5 模型 1999 年 hello, world", "gpt 5 年型模"], 2
    )
    assert a.tolist() == b.tolist()
    assert set(a.tolist()) != set(c.tolist())


def test_tokens_never_cross_documents():
    joined = _shingle_lists(["alpha beta", "gamma delta"], 3)
    alone = _shingle_lists(["alpha beta"], 3) + _shingle_lists(["gamma delta"], 3)
    assert [x.tolist() for x in joined] == [x.tolist() for x in alone]


def _stage_jaccard(x: str, y: str, **params) -> float:
    sh = batch_shingles(pa.array([x, y], pa.large_string()), 5, **params)
    a, b = (set(sh.hashes[sh.offsets[i] : sh.offsets[i + 1]].tolist()) for i in range(2))
    return len(a & b) / len(a | b)


def test_shingle_jaccard_matches_plain_python_references():
    """Character shingles give the reader's measure (`reader_shingles`), word shingles the
    plain-Python word tokens, on variants of generated zh, en and mixed documents."""
    table = CorpusGenerator(seed=11).corpus(60, dup_share=1.0)
    texts = table.column("text").to_pylist()
    family = table.column("family").to_pylist()
    char = {"unit": "char", "normalize_digits": False, "strip_punctuation": False}
    checked = 0
    for i in range(len(texts) - 1):
        if family[i] == family[i + 1] >= 0:
            x, y = texts[i], texts[i + 1]
            reader = jaccard(reader_shingles(x), reader_shingles(y))
            assert _stage_jaccard(x, y, **char) == pytest.approx(reader, abs=2e-3)  # 32-bit hashes
            assert _stage_jaccard(x, y) == pytest.approx(_reference_jaccard(x, y, 5), abs=2e-3)
            checked += 1
    assert checked >= 40


def test_character_shingles_ignore_whitespace_case_and_width():
    char = {"unit": "char", "normalize_digits": False, "strip_punctuation": False}
    spaced = "大 语 言 模 型 用 ＧＰＴ 训 练，\n数据"
    assert _stage_jaccard("大语言模型用gpt训练,数据", spaced, **char) == 1.0
    assert _stage_jaccard("大语言模型用gpt训练,数据", "大语言模型用gpt训练。数据", **char) < 1.0


# -- signatures -------------------------------------------------------------------------------


def _sets_with_jaccard(rng, size: int, target: float) -> tuple[np.ndarray, np.ndarray]:
    """Two sets of distinct uint32 values whose exact Jaccard is close to `target`."""
    shared = int(round(2 * size * target / (1 + target)))
    values = rng.choice(2**32 - 1, shared + 2 * (size - shared), replace=False).astype(np.uint32)
    own = size - shared
    return values[: shared + own], np.concatenate((values[:shared], values[shared + own :]))


def _signature_errors(rng, sizes, num_perm: int = 128) -> np.ndarray:
    errors = []
    for size in sizes:
        a, b = _sets_with_jaccard(rng, int(size), float(rng.uniform(0.5, 1.0)))
        exact = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
        hashes = np.concatenate((a, b))
        from datamill.stages.dedup_minhash.shingles import Shingles

        sigs = signatures(Shingles(hashes, np.array([len(a), len(b)])), num_perm, seed=3)
        errors.append(estimated_jaccard(sigs[:1], sigs[1:])[0] - exact)
    return np.array(errors)


def test_one_permutation_signatures_estimate_jaccard():
    """The share of equal bins estimates the exact Jaccard of the sets without bias, with the
    spread of 128 independent permutations (sqrt(J(1-J)/128) <= 0.044), for large sets and for
    sets smaller than the 128 bins (densified)."""
    rng = np.random.default_rng(0)
    large = _signature_errors(rng, rng.integers(200, 3000, 400))
    assert abs(large.mean()) < 0.006
    assert np.sqrt((large**2).mean()) < 0.04
    small = _signature_errors(rng, rng.integers(8, 100, 400))
    assert abs(small.mean()) < 0.02
    assert np.sqrt((small**2).mean()) < 0.08


def test_signatures_depend_on_seed_and_mark_empty_documents():
    sh = batch_shingles(pa.array(["今天我们讨论大语言模型的训练数据如何清洗。", ""], pa.large_string()), 5)
    first, again, other = (signatures(sh, 128, seed) for seed in (7, 7, 8))
    assert first.tolist() == again.tolist()
    assert first[0].tolist() != other[0].tolist()
    assert first[1].tolist() == [0xFFFFFFFF] * 128  # no shingles


def test_bands_from_threshold_and_estimated_jaccard():
    assert bands_and_rows(0.8, 128, 0.5, 0.5) == (9, 13)
    assert bands_and_rows(0.8, 128, 0.1, 0.9) == (14, 9)
    left = np.array([[1, 2, 3, 4]], np.uint32)
    assert estimated_jaccard(left, np.array([[1, 2, 0, 4]], np.uint32)).tolist() == [0.75]


@pytest.mark.parametrize("num_perm", [16, 64, 128, 256])
def test_bands_and_rows_are_datasketchs_optimum(num_perm):
    from datasketch.lsh import _optimal_param  # what MinHashLSH(threshold, num_perm, weights) uses

    for threshold in (0.3, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95):
        for weights in ((0.5, 0.5), (0.1, 0.9), (0.9, 0.1), (0.3, 0.7)):
            expected = _optimal_param(threshold, num_perm, *weights)
            assert bands_and_rows(threshold, num_perm, *weights) == expected, (threshold, weights)


# -- buckets and clusters ---------------------------------------------------------------------


def test_scattered_signatures_give_the_rows_of_the_whole_matrix():
    """Rows gathered from several matrices, and pair estimates over them, equal those of the
    matrices stacked (the driver's members leave their signatures in the mapped files)."""
    rng = np.random.default_rng(3)
    matrices = [rng.integers(0, 4, (rows, 8), dtype=np.uint32) for rows in (5, 1, 7, 3)]
    stacked = np.concatenate(matrices)
    which = np.repeat(np.arange(4), [5, 1, 7, 3])
    within = np.concatenate([np.arange(5), [0], np.arange(7), np.arange(3)])
    order = rng.permutation(len(stacked))  # documents numbered apart from where they are
    scattered = ScatteredSignatures(matrices, which[order], within[order], 8)
    docs = rng.integers(0, len(stacked), 40)
    assert np.array_equal(scattered[docs], stacked[order][docs])
    a, b = rng.integers(0, len(stacked), (2, 20_000))  # more than one chunk of pairs
    assert np.array_equal(
        pair_jaccard(scattered, a, b), estimated_jaccard(stacked[order][a], stacked[order][b])
    )


def test_bucket_pairs_all_pairs_within_anchors_then_linear():
    rows = pa.table(
        {
            "key": pa.array([7, 7, 7, 7, 7, 3, 3, 9], pa.uint64()),
            "doc": pa.array([50, 30, 10, 40, 20, 200, 100, 300], pa.uint64()),
        }
    )
    pairs = minhash_buckets.bucket_pairs(rows, anchors=2)
    got = sorted(zip(pairs.column("a").to_pylist(), pairs.column("b").to_pylist(), strict=True))
    assert got == [(10, 20), (10, 30), (10, 40), (10, 50), (20, 30), (20, 40), (20, 50), (100, 200)]


def test_keep_rule_quality_then_length_then_id():
    ids = pa.array(["a", "b", "c", "d", "e", "g", "f"])
    sig = np.zeros((7, 4), np.uint32)
    members = minhash_clusters.Members(
        ids,
        quality=np.array([0.2, 0.9, np.nan, 0.5, 0.5, np.nan, np.nan]),
        length=np.array([10, 5, 99, 7, 8, 3, 3]),
        signatures=sig,
        shards=np.zeros(7, np.int32),
    )
    # clusters {a,b,c}, {d,e}, {f,g}
    result = minhash_clusters.cluster(members, np.array([0, 1, 3, 5]), np.array([1, 2, 4, 6]), top=2)
    decisions = result.decisions.to_pydict()
    kept = dict(zip(decisions["id"], decisions["kept"], strict=True))
    assert kept == {"a": "b", "b": "b", "c": "b", "d": "e", "e": "e", "g": "f", "f": "f"}
    assert result.stats["clusters"] == 3
    assert result.stats["docs_removed"] == 4
    assert result.stats["cluster_size_histogram"] == {"2": 2, "3": 1}
    assert result.stats["largest_clusters"] == [{"kept": "b", "size": 3}, {"kept": "e", "size": 2}]


# -- the stage on Ray -------------------------------------------------------------------------


def _run_stage(table: pa.Table, tmp_path, blocks: int, **config) -> tuple[pa.Table, dict]:
    stage = DedupMinhash(DedupMinhashConfig(**config))
    result, stats = run_global_stage(stage, conform(table), tmp_path, 2, blocks)
    return result.sort_by("id"), stats


@pytest.fixture(scope="module")
def planted(ray_session, tmp_path_factory):
    """A generated zh/en/mixed corpus, its near-duplicate pairs by the reader's measure (brute
    force over all pairs), and one run of the stage with its defaults over it."""
    table = CorpusGenerator(seed=5).corpus(900)
    truth = exact_pairs(table.column("text").to_pylist(), 0.8)
    result, stats = _run_stage(table, tmp_path_factory.mktemp("planted"), blocks=3)
    return table, truth, result, stats


def test_planted_near_duplicates_precision_and_recall_per_language(planted):
    table, truth, result, stats = planted
    assert result.num_rows == table.num_rows
    assert sorted(result.column("id").to_pylist()) == sorted(table.column("id").to_pylist())
    ids = table.column("id").to_pylist()
    cluster = dict(
        zip(result.column("id").to_pylist(), result.column("dup_cluster").to_pylist(), strict=True)
    )
    cluster_of = [cluster[i] for i in ids]
    position = {doc: n for n, doc in enumerate(ids)}
    kept = np.array([position[c] for c in cluster_of])
    removed = kept != np.arange(len(ids))
    sets = [reader_shingles(t) for t in table.column("text").to_pylist()]
    langs = np.array(table.column("lang").to_pylist())
    family = table.column("family").to_numpy()
    assert not [p for p in truth if family[p[0]] != family[p[1]] or family[p[0]] < 0]  # none by chance
    for lang in ("zh", "en", "mixed"):
        pairs = {p: j for p, j in truth.items() if langs[p[0]] == lang}
        score = pair_scores(
            pairs, family, cluster_of, removed & (langs == lang), kept, lambda i, j: jaccard(sets[i], sets[j])
        )
        print(f"{lang}: precision {score.precision:.3f} recall {score.recall:.3f} ({score.true_pairs} pairs)")
        assert score.true_pairs >= 300
        assert score.precision >= 0.97
        assert score.recall >= 0.97
    by_id = {r["id"]: r for r in result.to_pylist()}
    quality = dict(zip(ids, table.column("quality").to_pylist(), strict=True))
    members: dict[str, list[str]] = {}
    for row in by_id.values():
        members.setdefault(row["dup_cluster"], []).append(row["id"])
        if row["dup_cluster"] == row["id"]:
            assert row["drop_reason"] is None
        else:
            assert row["drop_reason"] == f"dedup_minhash:near_duplicate_of:{row['dup_cluster']}"
    for kept_id, group in members.items():
        best = min(
            group, key=lambda i: (-(quality[i] if quality[i] is not None else -1), -len(by_id[i]["text"]), i)
        )
        assert best == kept_id
        assert all(dict(by_id[i]["signals"])["minhash_cluster_size"] == len(group) for i in group)
        if len(group) > 1:
            assert dict(by_id[kept_id]["signals"])["minhash_jaccard_to_kept"] == 1.0
    removed = sum(1 for r in by_id.values() if r["drop_reason"])
    assert stats["docs_removed"] == removed
    assert stats["clusters"] == sum(1 for g in members.values() if len(g) > 1)
    assert (stats["minhash_bands"], stats["minhash_rows"]) == (14, 9)


def test_same_kept_ids_on_rerun_and_with_other_partitioning(tmp_path, planted):
    table, _, first, _ = planted
    again, _ = _run_stage(table, tmp_path / "again", blocks=3)
    other, _ = _run_stage(table, tmp_path / "other", blocks=7, num_partitions=1, batch_rows=50)
    columns = ["id", "dup_cluster", "drop_reason"]
    assert first.select(columns).equals(again.select(columns))
    assert first.select(columns).equals(other.select(columns))


_CLUSTER_STATS = (
    "candidate_pairs",
    "verified_pairs",
    "doc_key_collisions",
    "clusters",
    "docs_in_clusters",
    "docs_removed",
    "cluster_size_histogram",
    "largest_clusters",
)
_DECIDED = ["id", "dup_cluster", "drop_reason", "signals"]


def test_distributed_clusters_equal_the_driver_clusters(tmp_path, planted):
    table, _, driver, driver_stats = planted
    assert driver_stats["cluster_path"] == "driver"
    result, stats = _run_stage(table, tmp_path, blocks=3, clusters="distributed", top_clusters=1000)
    assert stats["cluster_path"] == "distributed"
    assert 1 <= stats["component_iterations"] <= 5
    assert result.select(_DECIDED).equals(driver.select(_DECIDED))
    assert stats["clusters"] > 50
    assert {k: stats[k] for k in _CLUSTER_STATS if k != "largest_clusters"} == {
        k: driver_stats[k] for k in _CLUSTER_STATS if k != "largest_clusters"
    }
    assert stats["largest_clusters"][:10] == driver_stats["largest_clusters"]
    assert len(stats["largest_clusters"]) == stats["clusters"]


def test_auto_clusters_in_partition_tasks_past_max_pairs(tmp_path, planted):
    table, _, driver, driver_stats = planted
    result, stats = _run_stage(table, tmp_path, blocks=2, max_pairs=10, num_partitions=3)
    assert stats["cluster_path"] == "distributed"
    assert stats["candidate_pair_rows"] > 10
    assert result.select(_DECIDED).equals(driver.select(_DECIDED))
    assert {k: stats[k] for k in _CLUSTER_STATS} == {k: driver_stats[k] for k in _CLUSTER_STATS}


def test_driver_clusters_past_max_pairs_fail_naming_it(tmp_path, planted):
    table = planted[0]
    with pytest.raises(RuntimeError, match="exceed max_pairs=10,"):
        _run_stage(table, tmp_path, blocks=2, max_pairs=10, clusters="driver")


def test_both_paths_leave_a_repeated_id_out_of_clusters(tmp_path):
    table = CorpusGenerator(seed=8).corpus(40, dup_share=1.0)
    twice = table.slice(1, 1)  # a variant of the first family, given again under the same id
    table = pa.concat_tables([table, twice])
    outputs_by_path = {}
    for path in ("driver", "distributed"):
        result, stats = _run_stage(table, tmp_path / path, blocks=2, clusters=path)
        assert stats["doc_key_collisions"] == 1
        outputs_by_path[path] = (result.select(_DECIDED), {k: stats[k] for k in _CLUSTER_STATS})
        repeated = result.filter(pa.compute.equal(result.column("id"), twice.column("id")[0]))
        assert repeated.column("dup_cluster").to_pylist() == twice.column("id").to_pylist() * 2
    assert outputs_by_path["driver"][1] == outputs_by_path["distributed"][1]
    assert outputs_by_path["driver"][0].equals(outputs_by_path["distributed"][0])


def test_distributed_components_equal_scipy(ray_session, tmp_path):
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    rng = np.random.default_rng(3)
    edges: list[tuple[int, int]] = []
    start = 0

    def add(pairs):
        nonlocal start
        edges.extend((start + i, start + j) for i, j in pairs)
        start += max(max(p) for p in pairs) + 1

    add([(i, i + 1) for i in range(300)])  # chains: ascending, descending, shuffled keys below
    add([(i + 1, i) for i in range(200)])
    add([(0, i) for i in range(1, 60)])  # stars
    add([(59, i) for i in range(59)])
    add([(30, i) for i in range(60) if i != 30])
    add([(i, (i + 1) % 50) for i in range(50)])  # a cycle
    for _ in range(150):
        add([(0, 1)])  # pairs
    add([(0, 1), (1, 2)])
    add([tuple(rng.choice(200, 2, replace=False)) for _ in range(260)])  # random, a few components
    nodes = start
    keys = np.unique(rng.integers(0, 2**64, nodes + 100, dtype=np.uint64))[:nodes]
    rng.shuffle(keys)  # node keys in no relation to the chain order, some above 2**63
    a = np.array([e[0] for e in edges])
    b = np.array([e[1] for e in edges])
    minhash_components.write_edges(keys[a], keys[b], 5, tmp_path / "edges", "input")
    rounds = minhash_components.components(tmp_path / "edges", tmp_path / "labels", 5)
    labels = pa.concat_tables(minhash_components.read_labels(tmp_path / "labels", p) for p in range(5))
    ours = dict(zip(labels.column("node").to_pylist(), labels.column("label").to_pylist(), strict=True))
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(nodes, nodes))
    _, reference = connected_components(graph, directed=False)
    linked = np.unique(np.concatenate((a, b)))
    assert len(ours) == len(linked)
    smallest = {}
    for node in linked:
        smallest[reference[node]] = min(smallest.get(reference[node], 2**64), int(keys[node]))
    assert all(ours[int(keys[node])] == smallest[reference[node]] for node in linked)
    assert 1 < rounds < 20


def test_stage_in_a_run_writes_rejections_and_stats(run, tmp_path):
    base = CorpusGenerator(seed=2).original("zh", 12).render()
    english = CorpusGenerator(seed=3).original("en", 12).render()
    docs = [
        base,
        base.replace("。", "！", 1),  # one punctuation mark differs: same shingles
        base + "\n\n扫码打开APP，阅读更多精彩内容。",
        english,
        english.upper(),
        "一篇完全不同的短文。",
        "",
    ]
    src = tmp_path / "in"
    src.mkdir()
    with open(src / "docs.jsonl", "w", encoding="utf-8") as fh:
        for n, text in enumerate(docs):
            fh.write(json.dumps({"text": text, "url": f"https://example.com/{n}"}, ensure_ascii=False) + "\n")
    state = run(
        {
            "name": "mh",
            "sources": [{"name": "t", "kind": "jsonl", "paths": ["in"]}],
            "stages": [{"stage": "normalize"}, {"stage": "dedup_minhash", "threshold": 0.7}],
        }
    )
    seg = state["segments"][-1]
    stats = seg["stats"]["dedup_minhash"]
    assert stats["docs_in"] == 6  # the empty text was rejected by normalize
    assert stats["rejected_by_reason"] == {"dedup_minhash:near_duplicate_of": 3}
    assert stats["counters"]["clusters"] == 2
    assert stats["counters"]["docs_removed"] == 3
    assert seg["cluster_size_histogram"] == {"2": 1, "3": 1}
    kept = outputs.kept(tmp_path / "run")
    texts = kept.column("text").to_pylist()
    assert len(texts) == 3
    assert "一篇完全不同的短文。" in texts
    assert base + "\n\n扫码打开APP，阅读更多精彩内容。" in texts  # no quality: the longest is kept
    assert (english in texts) != (english.upper() in texts)
    rejected = outputs.rejected(tmp_path / "run", "dedup_minhash")
    kept_ids = set(kept.column("id").to_pylist())
    for row in rejected.to_pylist():
        assert row["drop_reason"].rsplit(":", 1)[1] == row["dup_cluster"]
        assert row["dup_cluster"] in kept_ids


def test_precision_sample_is_the_removed_ids_with_the_lowest_xxh3_whether_or_not_keys_come_along():
    # the driver hands its doc keys along; the distributed path's files bring only ids
    rng = np.random.default_rng(3)
    ids = [f"doc-{n}" for n in rng.permutation(1000)]
    kept = [doc if n % 4 == 0 else ids[n - n % 4] for n, doc in enumerate(ids)]  # 750 removed
    rows = pa.table({"id": ids, "kept": kept})
    removed = sorted((doc, k) for doc, k in zip(ids, kept, strict=True) if doc != k)
    by_hash = sorted(removed, key=lambda pair: xxhash.xxh3_64_intdigest(pair[0].encode()))
    expected = sorted(by_hash[:200])
    assert precision.sample_removed([rows.slice(0, 300), rows.slice(300)]) == expected
    with_keys = rows.append_column(minhash_buckets.DOC, minhash_buckets.doc_keys(rows.column("id")))
    assert precision.sample_removed([with_keys]) == expected


def test_sampled_precision_estimate_equals_brute_force(tmp_path):
    rng = np.random.default_rng(7)
    vocab = [f"w{chr(97 + i)}{chr(97 + j)}" for i in range(26) for j in range(26)]
    originals = [" ".join(rng.choice(vocab, 120)) for _ in range(6)]  # 600 character 5-grams
    docs = []
    for n, text in enumerate(originals):
        docs.append(text)
        words = text.split()
        for k in (4, 9):  # two variants each, 4 to 19 words of 120 changed
            edited = list(words)
            for at in rng.choice(len(words), k + 2 * n, replace=False):
                edited[at] = "zz" + edited[at]
            docs.append(" ".join(edited))
    table = pa.table(
        {
            "id": [f"d{i:03d}" for i in range(len(docs))],
            "text": pa.array(docs, pa.large_string()),
            "quality": pa.array([1.0 if i % 3 == 0 else 0.5 for i in range(len(docs))], pa.float32()),
        }
    )
    # unverified candidates: some removed documents are below the threshold, so the estimate is
    # below 1 and its arithmetic shows
    result, stats = _run_stage(table, tmp_path, 2, threshold=0.7, verify=False)
    by_id = dict(zip(table.column("id").to_pylist(), docs, strict=True))
    columns = (result.column(c).to_pylist() for c in ("id", "dup_cluster", "drop_reason"))
    removed = [(doc, kept) for doc, kept, reason in zip(*columns, strict=True) if reason]
    assert removed and stats["precision_sample"] == len(removed)  # under the sample size: all of them
    similar = []
    for doc, kept in removed:
        similar.append(jaccard(reader_shingles(by_id[doc]), reader_shingles(by_id[kept])))
    assert stats["precision_estimate"] == round(sum(s >= 0.7 for s in similar) / len(similar), 4)
    assert stats["precision_sample_min_jaccard"] == round(min(similar), 4)
    assert 0 < stats["precision_estimate"] < 1


def test_driver_components_equal_scipy():
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    rng = np.random.default_rng(5)
    count = 3000
    chain = rng.permutation(400)  # a chain through shuffled nodes: many rounds of hooking
    star = 400 + rng.permutation(300)
    random_a, random_b = rng.integers(700, count, 900), rng.integers(700, count, 900)
    a = np.concatenate((chain[:-1], np.repeat(star[0], 299), random_a, [5, 5]))
    b = np.concatenate((chain[1:], star[1:], random_b, [5, 6]))  # a self-loop, a repeated node
    labels = minhash_clusters.components(count, a, b)
    _, reference = connected_components(
        coo_matrix((np.ones(len(a)), (a, b)), shape=(count, count)), directed=False
    )
    # the same partition, each labelled by its smallest node
    smallest = {}
    for node, ref in enumerate(reference.tolist()):
        smallest.setdefault(ref, node)
    assert labels.tolist() == [smallest[ref] for ref in reference.tolist()]
    assert len(np.unique(labels)) == len(np.unique(reference)) > 100
