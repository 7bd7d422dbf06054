"""Generated benchmarks and a corpus with their items planted (verbatim and with small edits, in
English and Chinese) and near misses (a shared template phrase, a fragment of an item). Labels
come from here: each document says which item, if any, it holds."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

EN_WORDS = [
    "river",
    "mountain",
    "engine",
    "theory",
    "market",
    "garden",
    "signal",
    "harvest",
    "colony",
    "protein",
    "voltage",
    "treaty",
    "glacier",
    "merchant",
    "orbit",
    "census",
    "cathedral",
    "enzyme",
    "tariff",
    "lantern",
    "archive",
    "dialect",
    "monsoon",
    "vaccine",
    "ledger",
    "tribunal",
    "compass",
    "fossil",
    "harbor",
    "lattice",
    "mineral",
    "parliament",
    "pigment",
    "quarry",
    "reactor",
    "saddle",
    "telescope",
    "tunnel",
    "vessel",
    "whisker",
    "algebra",
    "bamboo",
    "canyon",
    "dynasty",
    "estuary",
    "falcon",
    "granite",
    "hydrogen",
    "island",
    "jasmine",
    "kettle",
    "lagoon",
    "meadow",
    "nitrogen",
    "oyster",
    "prairie",
]
EN_TEMPLATE = (
    "Read the passage below carefully and choose the single best answer to the question that follows"
)
ZH_CHARS = (
    "山水河流城市花园信号收获蛋白电压条约冰川商人轨道人口教堂酶关税灯笼档案方言季风疫苗账本法庭"
    "罗盘化石港口晶格矿物议会颜料采石反应马鞍望远镜隧道船只代数竹子峡谷朝代河口猎鹰花岗岩氢岛屿"
)
ZH_TEMPLATE = "阅读下面的材料并选出正确的一项"
EN_FILLER = "The town council discussed the new library opening hours at length."
ZH_FILLER = "镇议会详细讨论了新图书馆的开放时间安排。"


@dataclass
class Doc:
    id: str
    text: str
    reason: str | None  # the expected drop reason (None: kept)
    near_miss: bool = False  # shares some n-grams with an item, too few to be flagged


def en_item(rng: random.Random) -> tuple[str, str]:
    question = " ".join(rng.choice(EN_WORDS) for _ in range(rng.randint(40, 60)))
    return f"{EN_TEMPLATE}. {question.capitalize()}?", rng.choice(["alpha", "beta", "gamma"])


def zh_item(rng: random.Random) -> str:
    body = "".join(rng.choice(ZH_CHARS) for _ in range(rng.randint(60, 90)))
    return f"{ZH_TEMPLATE}：{body[:30]}，{body[30:]}。"


def edit_en(text: str, rng: random.Random) -> str:
    """One word replaced, case and punctuation changed."""
    words = text.split(" ")
    i = rng.randrange(len(words) // 2, len(words) - 2)
    words[i] = "zeppelin"
    return " ".join(words).upper().replace("?", " ??").replace(".", ";")


def edit_zh(text: str, rng: random.Random) -> str:
    """Two characters replaced next to each other, full-width punctuation made half-width."""
    i = rng.randrange(len(text) // 2, len(text) - 4)
    return (text[:i] + "鲸鱼" + text[i + 2 :]).replace("，", ",").replace("：", ":")


def make(folder: Path, seed: int = 7) -> list[Doc]:
    """Write the benchmarks (qa_en.jsonl: question, answer, id; qa_zh.txt: one item a line)
    into `folder`; return the corpus documents with their expected outcomes."""
    rng = random.Random(seed)
    en_items = [en_item(rng) for _ in range(30)]
    zh_items = [zh_item(rng) for _ in range(30)]
    with (folder / "qa_en.jsonl").open("w", encoding="utf-8") as out:
        for i, (question, answer) in enumerate(en_items):
            out.write(json.dumps({"id": f"en-{i:03d}", "question": question, "answer": answer}) + "\n")
    (folder / "qa_zh.txt").write_text("\n".join(zh_items) + "\n", encoding="utf-8")
    docs: list[Doc] = []
    for i in range(0, 10):  # English: 0-4 verbatim, 5-9 edited
        question, answer = en_items[i]
        body = question if i < 5 else edit_en(question, rng)
        docs.append(
            Doc(
                f"en-planted-{i}",
                f"{EN_FILLER}\n{body}\nAnswer: {answer}\n{EN_FILLER}",
                f"decontaminate:qa_en:en-{i:03d}",
            )
        )
    for i in range(0, 10):  # Chinese: 0-4 verbatim, 5-9 edited
        body = zh_items[i] if i < 5 else edit_zh(zh_items[i], rng)
        docs.append(
            Doc(f"zh-planted-{i}", f"{ZH_FILLER}{body}{ZH_FILLER}", f"decontaminate:qa_zh:qa_zh.txt:{i + 1}")
        )
    for i in range(10, 20):  # near misses: the shared template, and a fragment of an item
        words = en_items[i][0].split(" ")
        fragment = " ".join(words[20:36])  # 16 words: 4 of the item's 13-grams
        docs.append(Doc(f"en-near-{i}", f"{EN_TEMPLATE} about the {fragment} story.", None, near_miss=True))
        chars = zh_items[i]
        docs.append(Doc(f"zh-near-{i}", f"{ZH_FILLER}{chars[20:40]}{ZH_FILLER}", None, near_miss=True))
    docs.append(Doc("en-template", f"{EN_TEMPLATE}, then check your answer twice.", None))
    docs.append(Doc("zh-template", f"{ZH_TEMPLATE}，然后认真检查答案。", None))
    for i in range(8):
        docs.append(Doc(f"clean-{i}", EN_FILLER if i % 2 else ZH_FILLER, None))
    return docs
