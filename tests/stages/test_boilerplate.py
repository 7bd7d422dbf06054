import json

import numpy as np

from datamill.pipeline import outputs
from datamill.stages.boilerplate import line_key, normalize_line, strip_document

NAV = "首页 | 新闻 | 联系我们"
FOOTER = "Copyright 2024 A Example Ltd. Subscribe to our newsletter!"


def test_normalize_line_is_ccnet_style():
    assert normalize_line("  Copyright 2024, A-Example!  ") == "copyright0000aexample"
    assert normalize_line("版权所有 © 2023，某某公司。") == normalize_line("版权所有 © 2024 某某公司")


def test_strip_document_removes_common_and_repeated_lines():
    text = "\n".join(
        [
            NAV,
            "今天我们讨论训练数据的清洗方法。",
            "点击这里关注我们的公众号获取更多内容",
            "好。",
            "好。",
            "点击这里关注我们的公众号获取更多内容",
            FOOTER,
        ]
    )
    common = np.array(
        sorted([line_key("a.example", normalize_line(NAV)), line_key("a.example", normalize_line(FOOTER))])
    )
    out, signals = strip_document(text, "a.example", common, min_repeated_chars=10)
    assert out == "今天我们讨论训练数据的清洗方法。\n点击这里关注我们的公众号获取更多内容\n好。\n好。"
    assert signals["boilerplate_common_lines"] == 2
    assert signals["boilerplate_repeated_lines"] == 1  # short "好。" may repeat
    removed = len(NAV) + len(FOOTER) + len("点击这里关注我们的公众号获取更多内容")
    assert signals["boilerplate_removed_char_frac"] == removed / len(text)
    # the same lines are not common on another host
    assert strip_document(NAV, "b.example", common, 10)[0] == NAV


def _doc(url, body):
    return {"url": url, "text": "\n".join([NAV, body, FOOTER])}


def test_lines_common_to_a_host_are_removed_across_documents(run, tmp_path):
    topics = ["正文抽取", "语言识别", "质量过滤", "近似去重"]
    docs = [
        _doc(f"https://a.example/{i}", f"这篇文章讲的是{t}，它是数据处理的一个步骤。")
        for i, t in enumerate(topics)
    ]
    docs += [
        _doc(f"https://b.example/{i}", f"Body of the {w} article on the other site.")
        for i, w in enumerate(["first", "second"])
    ]
    docs.append({"url": "https://a.example/menu", "text": f"{NAV}\n{FOOTER}"})
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs))
    state = run(
        {
            "name": "bp",
            "sources": [{"name": "web", "kind": "jsonl", "paths": ["docs.jsonl"]}],
            "stages": [{"stage": "normalize"}, {"stage": "boilerplate", "min_docs": 3}],
        }
    )
    assert state["totals"] == {"docs_in": 7, "kept": 6, "rejected": 1}
    seg = state["segments"][-1]
    assert seg["stats"]["boilerplate"]["counters"]["boilerplate_common_line_hashes"] == 2
    kept = {r["uri"]: r for r in outputs.kept(tmp_path / "run").to_pylist()}
    assert kept["https://a.example/2"]["text"] == "这篇文章讲的是质量过滤，它是数据处理的一个步骤。"
    assert (
        kept["https://b.example/1"]["text"]
        == f"{NAV}\nBody of the second article on the other site.\n{FOOTER}"
    )
    assert dict(kept["https://a.example/2"]["signals"])["boilerplate_common_lines"] == 2.0
    rejected = outputs.rejected(tmp_path / "run").to_pylist()
    assert [(r["uri"], r["drop_reason"]) for r in rejected] == [
        ("https://a.example/menu", "boilerplate:all_boilerplate")
    ]
