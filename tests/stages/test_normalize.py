import pyarrow as pa

from datamill.pipeline.schema import WORKING_SCHEMA, conform
from datamill.stages.normalize import Normalize, NormalizeConfig, normalize_text


def test_nfc_controls_and_whitespace():
    assert normalize_text("Cafe\u0301\x00  bar\t\tbaz \r\n\n\n\nnext\u200b") == "Café bar baz\n\nnext"


def test_chinese_text_keeps_fullwidth_punctuation_and_gets_no_spaces():
    text = "大语言模型（LLM）的训练数据，需要清洗！\u3000\u3000第二句。"
    assert normalize_text(text) == "大语言模型（LLM）的训练数据，需要清洗！ 第二句。"
    assert normalize_text(text, "NFKC").startswith("大语言模型(LLM)的训练数据,")


def test_stage_rejects_empty_and_keeps_rows_in_order():
    batch = conform(pa.table({"id": ["a", "b", "c"], "text": ["  x ", "\x00 \n ", None]}), WORKING_SCHEMA)
    out = Normalize(NormalizeConfig())(batch)
    assert out.column("text").to_pylist() == ["x", "", ""]
    assert out.column("drop_reason").to_pylist() == [None, "normalize:empty_text", "normalize:empty_text"]
    assert out.column("id").to_pylist() == ["a", "b", "c"]
