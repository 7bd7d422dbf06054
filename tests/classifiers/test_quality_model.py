import json
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datamill.classifiers import fasttext_model, quality_model
from datamill.pipeline.cli import main
from datamill.pipeline.schema import WORKING_SCHEMA, conform
from datamill.stages.quality import Quality, QualityConfig

ZH_SUBJECTS = ["研究人员", "工程师", "这篇文章", "我们的团队", "老师", "新的模型", "城市规划", "医生"]
ZH_PREDICATES = ["详细介绍了", "认真分析了", "重新评估了", "系统地比较了", "解释了", "总结了"]
ZH_OBJECTS = [
    "训练数据的来源",
    "气候变化的影响",
    "历史文献的价值",
    "实验结果的可靠性",
    "教育资源的分配",
    "交通系统的效率",
]
EN_SUBJECTS = [
    "The researchers",
    "Our engineers",
    "This report",
    "The committee",
    "A new study",
    "The teacher",
]
EN_PREDICATES = [
    "carefully explained",
    "measured",
    "compared",
    "reviewed in detail",
    "summarised",
    "questioned",
]
EN_OBJECTS = [
    "the sources of the data",
    "the effect of the policy",
    "the value of old letters",
    "the cost of the new bridge",
    "how students learn to read",
    "the results of the trial",
]
SPAM = [
    "免费下载",
    "点击这里",
    "优惠",
    "促销",
    "最低价",
    "加微信",
    "buy",
    "cheap",
    "click",
    "free",
    "casino",
    "bonus",
    "win",
    "now",
    "!!!",
    "$$$",
    "best",
    "deal",
    "登录",
    "首页",
    "注册",
    "下一页",
    "more",
    "login",
]


def _good(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(2, 4)):
        if rng.random() < 0.5:
            sentences.append(
                rng.choice(ZH_SUBJECTS) + rng.choice(ZH_PREDICATES) + rng.choice(ZH_OBJECTS) + "。"
            )
        else:
            sentences.append(
                f"{rng.choice(EN_SUBJECTS)} {rng.choice(EN_PREDICATES)} {rng.choice(EN_OBJECTS)}."
            )
    return " ".join(sentences) + f" ({rng.randint(1, 10**6)})"


def _bad(rng: random.Random) -> str:
    return " ".join(rng.choice(SPAM) for _ in range(rng.randint(6, 14))) + f" {rng.randint(1, 10**6)}"


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    """400 positives as JSONL and 400 negatives as Parquet, written by the test."""
    folder = tmp_path_factory.mktemp("labelled")
    rng = random.Random(7)
    good = [_good(rng) for _ in range(400)]
    bad = [_bad(rng) for _ in range(400)]
    pos = folder / "good.jsonl"
    pos.write_text(
        "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in good), encoding="utf-8"
    )
    neg = folder / "bad.parquet"
    pq.write_table(pa.table({"text": bad}), neg)
    return folder, pos, neg


def test_tokenize_splits_cjk_characters_and_punctuation():
    assert (
        quality_model.tokenize("我们用 Ray Data，训练Model!\n第二行")
        == "我 们 用 ray data ， 训 练 model ! 第 二 行"
    )


def test_roc_auc_and_metrics_on_known_values():
    import numpy as np

    labels = np.array([1, 1, 0, 0, 1, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.1, 0.4, 0.4])
    m = quality_model.metrics(labels, scores, threshold=0.5)
    assert (m.precision, m.recall) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    # (pos, neg) pairs ranked right: 0.9 and 0.8 beat all 3; 0.4 beats 0.1 and ties 0.4 (half): 7.5 of 9
    assert m.roc_auc == pytest.approx(7.5 / 9)


def test_train_and_eval_commands_separate_held_out_examples(labelled, capsys):
    folder, pos, neg = labelled
    model = folder / "quality.bin"
    args = ["--positive", str(pos), "--negative", str(neg), "--holdout", "0.25", "--seed", "3"]
    assert main(["classifier", "train", *args, "--out", str(model), "--epoch", "15"]) == 0
    trained = json.loads(capsys.readouterr().out)
    held = trained["held_out"]
    assert held["n_positive"] + held["n_negative"] + trained["n_train"] == 800
    assert 120 < held["n_positive"] + held["n_negative"] < 280
    assert held["roc_auc"] >= 0.95 and held["f1"] >= 0.9  # chance would be 0.5
    assert json.loads((folder / "quality.bin.json").read_text())["held_out"] == held

    assert main(["classifier", "eval", *args, "--model", str(model)]) == 0
    assert json.loads(capsys.readouterr().out)["held_out"] == held  # the same split, the same figures


def test_eval_fails_on_missing_model_and_column(labelled, capsys):
    folder, pos, neg = labelled
    base = ["classifier", "eval", "--positive", str(pos), "--negative", str(neg)]
    assert main([*base, "--model", str(folder / "missing.bin")]) == 2
    with pytest.raises(SystemExit):
        main([*base, "--model", "x.bin", "--text-field", "body"])
    assert "no column 'body'" in capsys.readouterr().err


def test_quality_stage_applies_the_model_with_per_language_threshold(labelled, tmp_path):
    folder, pos, neg = labelled
    texts = quality_model.read_texts([pos])[:50] + quality_model.read_texts([neg])[:50]
    model_path = tmp_path / "m.bin"
    quality_model.train(texts[:40], texts[50:90], model_path)
    stage = Quality(QualityConfig(model=str(model_path), rules={"*": []}, min_quality={"*": 0.5, "zh": 0.0}))
    stage.setup()
    rows = [texts[45], texts[95], texts[96]]
    out = stage(
        conform(pa.table({"id": ["a", "b", "c"], "text": rows, "lang": ["en", "en", "zh"]}), WORKING_SCHEMA)
    )
    quality = out.column("quality").to_pylist()
    assert quality[0] > 0.5 > quality[1]
    assert [dict(s)["quality_model"] for s in out.column("signals").to_pylist()] == pytest.approx(quality)
    reasons = out.column("drop_reason").to_pylist()
    assert reasons[0] is None
    assert reasons[1].startswith("quality:low_model_score:")
    assert reasons[2] is None  # zh threshold 0.0 keeps it
    model = fasttext_model.load(model_path)
    assert quality_model.scores(model, [rows[0]])[0] == pytest.approx(quality[0], rel=1e-6)


def test_quality_top_keeps_the_best_fraction_of_each_language(labelled, run, tmp_path):
    from datamill.pipeline import outputs

    folder, pos, neg = labelled
    good, bad = quality_model.read_texts([pos]), quality_model.read_texts([neg])
    model_path = tmp_path / "m.bin"
    quality_model.train(good[:300], bad[:300], model_path)
    rng = random.Random(1)
    zh = [
        rng.choice(ZH_SUBJECTS) + rng.choice(ZH_PREDICATES) + rng.choice(ZH_OBJECTS) + f"。第{i}条。"
        for i in range(10)
    ]
    docs = [
        {"url": f"https://x.example/{i}", "text": t} for i, t in enumerate(good[300:310] + bad[300:310] + zh)
    ]
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs))
    state = run(
        {
            "name": "top",
            "sources": [{"name": "t", "kind": "jsonl", "paths": ["docs.jsonl"]}],
            "stages": [
                {"stage": "langid"},
                {"stage": "quality", "model": str(model_path), "rules": {"*": []}},
                {"stage": "quality_top", "keep_top_fraction": {"*": 0.5, "zh": 1.0}},
            ],
        }
    )
    kept = outputs.kept(tmp_path / "run").to_pylist()
    rejected = outputs.rejected(tmp_path / "run").to_pylist()
    assert len(kept) + len(rejected) == 30
    assert {r["drop_reason"] for r in rejected} == {"quality_top:below_top_fraction"}  # not empty
    assert [r["lang"] for r in rejected if r["lang"] == "zh"] == []  # zh keeps everything
    thresholds = state["segments"][-1]["quality_top_thresholds"]
    for lang in {r["lang"] for r in kept + rejected} - {"zh"}:
        scores_kept = [r["quality"] for r in kept if r["lang"] == lang]
        scores_dropped = [r["quality"] for r in rejected if r["lang"] == lang]
        total = len(scores_kept) + len(scores_dropped)
        assert total / 2 <= len(scores_kept) <= total / 2 + 1  # at least half, within a tie
        assert max(scores_dropped, default=0) < thresholds[lang] <= min(scores_kept)
