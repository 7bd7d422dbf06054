"""The text-sanity score on hard clean texts (code, product names, tables, short list items,
Japanese, Korean with hanja, Russian) and on the garbage issue 18 quotes from real PDFs."""

from __future__ import annotations

import pytest

from datamill.classifiers.text_sanity import Params, TextSanity, common_cjk

CLEAN = {
    "code": "def parse_config(path):\n    with open(path) as fh:\n        return yaml.safe_load(fh)\n"
    "The function parseConfig reads the file; getElementById and XMLHttpRequest are browser APIs.",
    "zh_products": "这家公司发布了 ChatGPT 的竞品，OpenAI 和 DeepSeek 都在关注，iPhone 用户也能用。"
    "模型在多项评测中表现不错，但推理成本仍然偏高。",
    "table": "Year  Revenue  Cost\n2021  12,480  9,315\n2022  13,020  9,120\n2023  13,610  9,470\n"
    "Total  39,110  27,905",
    "list": "Shopping list for the weekend trip to the coast:\n- bread\n- milk\n- eggs\n- a map\n"
    "- sun cream\n- two towels",
    "ja": "この春、クローラーを作り直し、各ページから取り出せる本文の量を測りました。多くのページでは"
    "メニューとフッターがきれいに消えます。",
    "ko_hanja": "올봄 우리는 크롤러를 다시 만들고 각 페이지에서 얻는 본문의 양을 측정했습니다. 大韓民國 "
    "헌법 제1조는 민주공화국을 선언합니다.",
    "ru": "После двух лет ремонта старый паром в субботу утром совершил свой первый рейс. Добровольцы"
    " из города починили двигатель.",
}
GARBAGE = {
    # a Czech PDF whose font lost its ToUnicode map, and a noise OCR layer (issue 18)
    "glyph_ids": "3HQČåQtSURVWĜHGN\\QD~þWHFK 2EVDKXMH\\QDNWXiOQt SURVWĜHGN\\ ]SUiY\\ Yê]NXPX " * 3,
    "ocr_noise": "e.\n:\n. sr N\n• ki LIL\n, '\nrn\ni l\n; a\n. .\nN\ntl\n~ |\no c\nfi .\ns\n" * 2,
    "rare_han": "".join(chr(0x3400 + (i * 37) % 6000) for i in range(120)),
    "private_use": "".join(chr(0xE000 + (i * 7) % 200) for i in range(120)),
}


@pytest.fixture(scope="module")
def sanity() -> TextSanity:
    return TextSanity(Params())


def test_clean_texts_score_low_and_garbage_high(sanity):
    texts = list(CLEAN.values()) + list(GARBAGE.values())
    judged = sanity.judge(texts)
    scores = {
        name: round(values["sanity_score"], 3)
        for name, (values, _) in zip([*CLEAN, *GARBAGE], judged, strict=True)
    }
    print(f"\n{scores}")
    assert [is_garbage for _, is_garbage in judged] == [False] * len(CLEAN) + [True] * len(GARBAGE)
    assert max(scores[name] for name in CLEAN) < 0.3


def test_common_cjk_sets():
    common = common_cjk()
    assert {"的", "國", "学", "한", "駅"} <= common and not {"龘", "똠", "㐀"} & common
    assert 12_000 < len(common) < 15_000
