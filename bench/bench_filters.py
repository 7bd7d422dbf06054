"""Throughput of the filter stages against the bare libraries doing the same work.

For each stage: docs/s on one core through the stage (an Arrow batch in, an Arrow batch out)
and through the same work on plain Python strings, and their ratio (target >= 0.9):

- langid: stage vs bare fastText `predict` on the same line segments (and, for scale, one
  predict per whole document);
- garbage: stage vs `classifiers.garbage.scores` and lid.176 shares on plain strings;
- licence: stage vs the same steps on Python objects (headers JSON, charset-aware decode,
  `classifiers.licence.detect`), and a bare `lxml.html` parse, the floor of any HTML reading;
- quality rules: stage vs `rule_signals` on plain strings;
- quality model: stage (rules off) vs bare fastText `predict` on the tokenized texts;
- boilerplate: the per-document strip over an Arrow batch vs `strip_document` on strings.

The corpus is generated (English, Chinese with English terms, spam); `--samples DIR` adds
Chinese text from DIR/*.txt cut into documents (never committed). Run:

    .venv/bin/python bench/bench_filters.py [--docs 500 2000] [--samples /work/shared/samples]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html
import numpy as np
import pyarrow as pa

from datamill.classifiers import garbage, licence, quality_model
from datamill.classifiers.langid import segments
from datamill.pipeline.schema import WORKING_SCHEMA, conform
from datamill.stages.boilerplate import line_key, normalize_line, strip_batch, strip_document
from datamill.stages.garbage import Garbage
from datamill.stages.ingest.decode import decode, header_charset
from datamill.stages.langid import LangId
from datamill.stages.licence import Licence
from datamill.stages.quality import Quality, QualityConfig, rule_signals

EN_WORDS = (
    "the",
    "data",
    "model",
    "training",
    "pipeline",
    "page",
    "text",
    "quality",
    "filter",
    "language",
    "of",
    "and",
    "to",
    "with",
    "that",
    "have",
    "from",
    "every",
    "document",
    "is",
    "kept",
    "or",
    "rejected",
    "reason",
    "stage",
    "shard",
    "cluster",
    "memory",
    "token",
    "budget",
)
ZH_PHRASES = [
    "大语言模型的训练数据",
    "需要经过清洗和去重",
    "我们使用 Ray Data 处理",
    "网页正文抽取是第一步",
    "质量分类器给文档打分",
    "中文网页常用 GBK 编码",
    "每一个决定都会被记录",
    "近似重复的文章只保留一份",
]
FOOTERS = [
    '<footer><a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA</a></footer>',
    '<footer><p class="copyright">版权所有 © 2025 示例网 未经许可不得转载</p></footer>',
    "<footer><p>© 2025 Example Media Ltd. All rights reserved.</p></footer>",
    "<footer><p>Contact us</p></footer>",
]


def corpus(n: int, rng: random.Random, samples: list[str]) -> list[tuple[str, str]]:
    """(text, lang) documents: English, Chinese with English terms, spam, sample Chinese."""
    docs = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            paras = [
                " ".join(rng.choice(EN_WORDS) for _ in range(rng.randint(40, 90))) + "." for _ in range(5)
            ]
            docs.append(("\n".join(paras), "en"))
        elif kind == 1 or (kind == 3 and not samples):
            paras = [
                "，".join(rng.choice(ZH_PHRASES) for _ in range(rng.randint(6, 14))) + "。" for _ in range(6)
            ]
            docs.append(("\n".join(paras), "zh"))
        elif kind == 2:
            docs.append(
                (" ".join(rng.choice(["buy", "cheap", "now", "免费", "点击"]) for _ in range(150)), "en")
            )
        else:
            text = rng.choice(samples)
            start = rng.randrange(max(1, len(text) - 2000))
            docs.append((text[start : start + 2000], "zh"))
    return docs


def cpu_seconds(
    stage: Callable[[], object], bare: Callable[[], object], repeat: int = 5
) -> tuple[float, float]:
    """Best CPU time of each of two workloads, run alternately: CPU time per process is what
    "per core" means, and alternating keeps a busy machine from favouring either side."""
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for k, fn in enumerate((stage, bare)):
            t0 = time.process_time()
            fn()
            best[k] = min(best[k], time.process_time() - t0)
    return best[0], best[1]


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best CPU time of one workload (the reference figures in the notes)."""
    return cpu_seconds(fn, lambda: None, repeat)[0]


def batch_of(texts: list[str], langs: list[str] | None = None, **extra) -> pa.Table:
    cols = {"id": [str(i) for i in range(len(texts))], "text": texts, "source": ["bench"] * len(texts)}
    if langs is not None:
        cols["lang"] = langs
    cols.update(extra)
    return conform(pa.table(cols), WORKING_SCHEMA)


def in_batches(stage_call: Callable[[pa.Table], pa.Table], table: pa.Table, rows: int = 500) -> None:
    for start in range(0, table.num_rows, rows):
        stage_call(table.slice(start, rows))


def row(name: str, n: int, stage_s: float, bare_s: float, note: str = "") -> dict:
    return {
        "stage": name,
        "docs": n,
        "stage_docs_per_s": round(n / stage_s),
        "bare_docs_per_s": round(n / bare_s),
        "ratio": round(bare_s / stage_s, 3),
        "note": note,
    }


def bench(n: int, samples: list[str], model_path: Path) -> list[dict]:
    rng = random.Random(n)
    docs = corpus(n, rng, samples)
    texts = [t for t, _ in docs]
    langs = [lang for _, lang in docs]
    out = []

    # language ID
    lid = LangId()
    lid.setup()
    table = batch_of(texts)
    segs = [s for t in texts for s, _ in segments(t)]
    model = lid.identifier.model
    stage_s, bare_s = cpu_seconds(lambda: in_batches(lid, table), lambda: model.predict(segs, k=1))
    whole_s = best_of(lambda: model.predict([t.replace("\n", " ") for t in texts], k=1))
    out.append(row("langid", n, stage_s, bare_s, f"bare whole-doc predict: {n / whole_s:.0f} docs/s"))

    # garbage: character scores and lid.176 confidence shares
    junk = Garbage()
    junk.setup()
    params = junk.config.rules
    stage_s, bare_s = cpu_seconds(
        lambda: in_batches(junk, table),
        lambda: (
            [garbage.scores(t) for t in texts],
            junk.identifier.unsure_shares(texts, params.lid_min_prob),
        ),
    )
    out.append(row("garbage", n, stage_s, bare_s))

    # licence
    pages = [
        f"<html><head><title>t</title></head><body><article><p>{t.replace(chr(10), '</p><p>')}</p></article>"
        f"{FOOTERS[i % len(FOOTERS)]}</body></html>"
        for i, t in enumerate(texts)
    ]
    lic = Licence()
    raws = [p.encode() for p in pages]
    table = batch_of(
        texts,
        content_type=["text/html"] * n,
        raw=pa.array(raws, pa.large_binary()),
        http_headers=['{"content-type": "text/html; charset=utf-8"}'] * n,
    )
    headers = table.column("http_headers").to_pylist()

    def bare_licence() -> None:
        for text, raw, header in zip(texts, raws, headers, strict=True):
            parsed = json.loads(header)
            html, _ = decode(raw, declared=header_charset(parsed.get("content-type")), html=True)
            licence.detect(text=text, html=html, headers=parsed)

    stage_s, bare_s = cpu_seconds(lambda: in_batches(lic, table), bare_licence)
    parse_s = best_of(lambda: [lxml.html.document_fromstring(p) for p in pages])
    out.append(row("licence", n, stage_s, bare_s, f"bare lxml parse alone: {n / parse_s:.0f} docs/s"))

    # quality rules
    quality = Quality()
    quality.setup()
    cfg = quality.config
    table = batch_of(texts, langs)
    stage_s, bare_s = cpu_seconds(
        lambda: in_batches(quality, table),
        lambda: [rule_signals(t, lang, cfg) for t, lang in zip(texts, langs, strict=True)],
    )
    out.append(row("quality rules", n, stage_s, bare_s))

    # quality model
    scorer = Quality(QualityConfig(model=str(model_path), rules={"*": []}))
    scorer.setup()
    ft = scorer.model
    stage_s, bare_s = cpu_seconds(
        lambda: in_batches(scorer, table), lambda: ft.predict([quality_model.tokenize(t) for t in texts], k=1)
    )
    predict_only = [quality_model.tokenize(t) for t in texts]
    raw_s = best_of(lambda: ft.predict(predict_only, k=1))
    out.append(
        row("quality model", n, stage_s, bare_s, f"bare predict without tokenizing: {n / raw_s:.0f} docs/s")
    )

    # boilerplate (per-document part; the line counting is a Ray Data group-by)
    boiler = [f"{t}\n首页 | 新闻 | 联系我们\nSubscribe to our newsletter." for t in texts]
    common = np.unique(
        [
            line_key("bench", normalize_line(s))
            for s in ("首页 | 新闻 | 联系我们", "Subscribe to our newsletter.")
        ]
    )
    table = batch_of(boiler)
    stage_s, bare_s = cpu_seconds(
        lambda: in_batches(lambda b: strip_batch(b, common, "source", 20), table),
        lambda: [strip_document(t, "bench", common, 20) for t in boiler],
    )
    out.append(row("boilerplate strip", n, stage_s, bare_s))
    return out


def train_model(folder: Path) -> Path:
    rng = random.Random(0)
    good = [t for t, _ in corpus(400, rng, []) if "buy" not in t]
    bad = [
        " ".join(rng.choice(["buy", "cheap", "now", "免费", "点击", "!!!"]) for _ in range(30))
        for _ in range(300)
    ]
    path = folder / "quality.bin"
    quality_model.train(good, bad, path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, nargs="+", default=[500, 2000], help="corpus sizes")
    parser.add_argument("--samples", type=Path, help="folder of Chinese .txt files to cut into documents")
    parser.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    args = parser.parse_args()
    samples = (
        [p.read_text(encoding="utf-8") for p in sorted(args.samples.glob("*.txt"))] if args.samples else []
    )
    header = f"{'stage':<18}{'docs':>7}{'stage docs/s':>14}{'bare docs/s':>13}{'ratio':>8}  note"
    if not args.json:
        print(header, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        model_path = train_model(Path(tmp))
        for n in args.docs:
            for r in bench(n, samples, model_path):
                if args.json:
                    print(json.dumps(r, ensure_ascii=False), flush=True)
                else:
                    print(
                        f"{r['stage']:<18}{r['docs']:>7}{r['stage_docs_per_s']:>14}{r['bare_docs_per_s']:>13}"
                        f"{r['ratio']:>8.3f}  {r['note']}",
                        flush=True,
                    )
    if not args.json:
        print("docs/s per core = docs per CPU-second of this process; ratio = bare / stage (target >= 0.9)")


if __name__ == "__main__":
    main()
