"""Decontamination: generated benchmark items planted in corpus documents (verbatim and with
small edits, English and Chinese) are found and named; near misses (a template phrase every
item shares, a fragment of an item) are kept with their scores; cut mode removes exactly the
overlap; the runner records per-benchmark counts in run.json. Labels come from the generator
(tests/stages/decontam_corpus.py)."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from datamill.pipeline import outputs
from datamill.pipeline.fused import run_global_stage
from datamill.pipeline.schema import RECORD_SCHEMA, conform
from datamill.stages.decontaminate.benchmarks import BenchmarkFiles, read_items
from datamill.stages.decontaminate.ngrams import Normalisation, batch_ngrams
from datamill.stages.decontaminate.stage import Decontaminate, DecontaminateConfig
from tests.stages import decontam_corpus

BENCHMARKS = [
    {"name": "qa_en", "paths": ["qa_en.jsonl"], "fields": ["question", "answer"], "id_field": "id"},
    {"name": "qa_zh", "paths": ["qa_zh.txt"]},
]


def _config(folder, **extra) -> DecontaminateConfig:
    return DecontaminateConfig.model_validate(
        {"benchmarks": BENCHMARKS, **extra}, context={"base_dir": folder}
    )


def _rows(docs) -> pa.Table:
    table = pa.table(
        {"id": [d.id for d in docs], "text": pa.array([d.text for d in docs], pa.large_string())}
    )
    return conform(table, RECORD_SCHEMA)


def test_ngrams_are_13_words_or_15_cjk_characters_after_normalisation():
    norm = Normalisation(ngram=13, cjk_ngram=15)
    words = " ".join(f"w{i}" for i in range(14))
    texts = [words, words.upper().replace(" ", " , "), "w0 " * 12, "数" * 15, "数" * 14, "数据 Ray 清洗"]
    grams = batch_ngrams(pa.array(texts, pa.large_string()), norm)
    assert grams.counts.tolist() == [2, 2, 0, 1, 0, 0]
    assert grams.hashes[:2].tolist() == grams.hashes[2:4].tolist()  # case and punctuation do not count
    assert (grams.starts[:2].tolist(), grams.ends[:2].tolist()) == ([0, 3], [len(words) - 4, len(words)])
    # a word weighs as much as 15/13 characters: 7 words + 7 CJK characters make one n-gram
    mixed = batch_ngrams(pa.array(["a b c d e f g 一二三四五六七"], pa.large_string()), norm)
    assert mixed.counts.tolist() == [1]


def test_ngram_spans_count_characters_not_bytes():
    # 😀 (4 bytes, a symbol: stripped), 𠀀 (4 bytes, CJK Extension B: a CJK token), é (a word)
    text = "😀𠀀é " + "数" * 15
    grams = batch_ngrams(pa.array([text], pa.large_string()), Normalisation(ngram=13, cjk_ngram=15))
    # from 𠀀: 1 CJK + 1 word + 13 CJK weigh 13+15+13*13 >= 195; from é: 15 + 14*13; from 数: 15*13
    assert (grams.starts.tolist(), grams.ends.tolist()) == ([1, 2, 4], [17, 18, 19])
    assert text[grams.starts[0] : grams.ends[0]] == "𠀀é " + "数" * 13


def test_benchmark_files_jsonl_text_and_parquet(tmp_path):
    decontam_corpus.make(tmp_path)
    pq.write_table(
        pa.table({"q": ["first item", None, "third"], "key": ["a", "b", "c"]}), tmp_path / "b.parquet"
    )
    entry = BenchmarkFiles(name="pq", paths=["b.parquet"], fields=["q"], id_field="key")
    assert read_items(entry, [tmp_path / "b.parquet"]).to_pylist() == [
        {"benchmark": "pq", "item": "a", "text": "first item"},
        {"benchmark": "pq", "item": "c", "text": "third"},
    ]
    items = _config(tmp_path).items()
    assert items.num_rows == 60
    assert items.column("item").to_pylist()[:2] == ["en-000", "en-001"]
    assert items.column("item").to_pylist()[30] == "qa_zh.txt:1"
    with pytest.raises(ValidationError, match="no such file"):
        DecontaminateConfig.model_validate(
            {"benchmarks": [{"name": "x", "paths": ["nope.jsonl"]}]}, context={"base_dir": tmp_path}
        )


def test_config_sha_follows_the_benchmark_files(tmp_path):
    decontam_corpus.make(tmp_path)
    before = _config(tmp_path).sha()
    with (tmp_path / "qa_zh.txt").open("a", encoding="utf-8") as out:
        out.write("新加的一道题目，内容足够长，可以构成至少一个十五字的片段。\n")
    assert _config(tmp_path).sha() != before


def test_planted_items_are_found_and_near_misses_kept(ray_session, tmp_path):
    docs = decontam_corpus.make(tmp_path)
    out, stats = run_global_stage(
        Decontaminate(_config(tmp_path)), _rows(docs), tmp_path / "d", num_cpus=2, blocks=3
    )
    reasons = dict(zip(out.column("id").to_pylist(), out.column("drop_reason").to_pylist(), strict=True))
    assert reasons == {d.id: d.reason for d in docs}
    signals = {row["id"]: dict(row["signals"]) for row in out.select(["id", "signals"]).to_pylist()}
    for doc in docs:
        ngrams, share = signals[doc.id]["decontaminate_ngrams"], signals[doc.id]["decontaminate_share"]
        if doc.reason:
            assert share >= 0.3, doc.id
        elif doc.near_miss:
            assert 0 < share < 0.3 and ngrams >= 4, doc.id
        elif doc.id.startswith("clean"):
            assert (ngrams, share) == (0, 0), doc.id
    assert stats["decontamination"] == {
        "qa_en": {"items": 30, "items_indexed": 30, "items_found": 10, "docs_removed": 10},
        "qa_zh": {"items": 30, "items_indexed": 30, "items_found": 10, "docs_removed": 10},
    }
    assert stats["items_found:qa_en"] == 10 and stats["docs_removed:qa_zh"] == 10


def test_cut_mode_removes_exactly_the_overlap(ray_session, tmp_path):
    decontam_corpus.make(tmp_path)
    items = _config(tmp_path).items()
    question = items.column("text")[0].as_py().split("\n")[0].rstrip("?")
    zh = items.column("text")[30].as_py().rstrip("。")
    docs = [
        decontam_corpus.Doc("en", f"Before it. {question} after it.", None),
        decontam_corpus.Doc("zh", f"前面的话。{zh}后面的话。", None),
        decontam_corpus.Doc("all", question, "decontaminate:qa_en:en-000"),
    ]
    out, stats = run_global_stage(
        Decontaminate(_config(tmp_path, action="cut")), _rows(docs), tmp_path / "d", 2
    )
    assert out.column("text").to_pylist()[:2] == ["Before it.  after it.", "前面的话。后面的话。"]
    assert out.column("drop_reason").to_pylist() == [None, None, "decontaminate:qa_en:en-000"]
    cut = [dict(s)["decontaminate_cut_chars"] for s in out.column("signals").to_pylist()]
    assert cut == [len(question), len(zh), len(question)]
    assert stats["decontamination"]["qa_en"]["docs_cut"] == 2


def test_runner_counts_per_benchmark_in_run_json(run, tmp_path):
    docs = decontam_corpus.make(tmp_path)
    lines = [{"url": f"https://example.org/{d.id}", "text": d.text} for d in docs]
    lines.append({"url": "https://example.org/contact", "text": "Write to li.na@qq.com or call 13812345678."})
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    state = run(
        {
            "name": "decon",
            "sources": [{"name": "docs", "kind": "jsonl", "paths": ["docs.jsonl"]}],
            "stages": [{"stage": "pii"}, {"stage": "decontaminate", "benchmarks": BENCHMARKS}],
        }
    )
    counts = {"items": 30, "items_indexed": 30, "items_found": 10, "docs_removed": 10}
    assert state["segments"][-1]["decontamination"] == {"qa_en": counts, "qa_zh": counts}
    applied = state["segments"][-1]["stats"]["decontaminate"]
    assert applied["rejected_by_reason"] == {"decontaminate:qa_en": 10, "decontaminate:qa_zh": 10}
    assert applied["counters"]["removed:qa_zh"] == 10
    pii = state["segments"][0]["stats"]["pii"]
    assert pii["counters"] == {"pii_email": 1, "pii_phone": 1, "redacted_docs": 1}
    kept = outputs.kept(tmp_path / "run").to_pylist()  # the redacted text, the others' by reference
    contact = next(r for r in kept if r["uri"].endswith("/contact"))
    assert contact["text"] == "Write to <EMAIL> or call <PHONE>."
    steps = [(e["stage"], e["decision"], e["reason"]) for e in contact["lineage"]]
    assert [s for s in steps if s[0] == "pii"] == [("pii", "edited", "pii:redacted:email=1,phone=1")]
    assert steps[-1] == ("decontaminate", "kept", None)
