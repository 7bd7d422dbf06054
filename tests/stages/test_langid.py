import pyarrow as pa
import pytest

from datamill.pipeline.schema import WORKING_SCHEMA, conform
from datamill.stages.langid import LangId, LangIdConfig

ZH_WITH_EN = (
    "我们使用 PyTorch 和 Ray Data 搭建了一个 data pipeline，用来清洗大语言模型的训练数据。\n"
    "第一步是用 trafilatura 抽取网页正文，然后用 fastText 做 language identification。\n"
    "对于 MinHash 去重，我们把中文按字符切成 shingles，而不是按空格分词。\n"
    "Ray Data is a scalable data processing library for ML workloads.\n"
    "最后把结果写成 Parquet 文件，并记录每一条数据的 lineage。"
)
EN = (
    "Data curation decides much of what a language model learns during pre-training.\n"
    "Extraction removes navigation menus, cookie banners and footers from web pages."
)
FR = "Le traitement des données est une étape essentielle pour entraîner un modèle de langue."


def _batch(texts):
    return conform(pa.table({"id": [str(i) for i in range(len(texts))], "text": texts}), WORKING_SCHEMA)


def _stage(**config):
    stage = LangId(LangIdConfig(**config))
    stage.setup()
    return stage


def test_chinese_with_english_terms_is_zh_with_shares():
    out = _stage()(_batch([ZH_WITH_EN, EN]))
    assert out.column("lang").to_pylist() == ["zh", "en"]
    assert out.column("drop_reason").to_pylist() == [None, None]
    zh = dict(out.column("signals")[0].as_py())
    assert zh["lang_share_zh"] > 0.75
    assert 0.05 < zh["lang_share_en"] < 0.25  # the one English line
    assert zh["lang_share_zh"] + zh["lang_share_en"] == pytest.approx(1.0, abs=0.02)
    assert out.column("lang_score")[0].as_py() > 0.6
    assert dict(out.column("signals")[1].as_py()) == {"lang_share_en": 1.0}


def test_keep_list_min_score_and_empty_text():
    out = _stage(keep=["zh", "en"], min_score=0.5)(_batch([FR, EN, "", "。。。"]))
    assert out.column("drop_reason").to_pylist() == [
        "langid:lang_not_kept:fr",
        None,
        "langid:no_text",
        out.column("drop_reason")[3].as_py(),
    ]
    assert out.column("lang")[0].as_py() == "fr"
    # punctuation only: whatever lid.176 says, its confidence is low
    assert out.column("drop_reason")[3].as_py().startswith("langid:")


def test_existing_signals_are_kept():
    batch = _batch([EN]).set_column(
        WORKING_SCHEMA.names.index("signals"),
        "signals",
        pa.array([[("earlier", 1.5)]], type=WORKING_SCHEMA.field("signals").type),
    )
    signals = dict(_stage()(batch).column("signals")[0].as_py())
    assert signals == {"earlier": 1.5, "lang_share_en": 1.0}


def test_han_only_segment_is_not_japanese_but_kana_text_is():
    ja = "これは日本語の文章です。私は東京で機械学習とデータ処理を勉強しています。"
    zh = "第一步是用 trafilatura 抽取网页正文，然后用 fastText 做 language identification。"
    out = _stage()(_batch([ja, zh]))
    assert out.column("lang").to_pylist() == ["ja", "zh"]
