"""PII: per-type precision and recall on a generated 600-document zh/en set whose labels are
the offsets where the generator planted each value (tests/stages/pii_corpus.py); exact
placeholders, actions, signals and lineage on small inline texts."""

from __future__ import annotations

from collections import Counter

import pyarrow as pa
import pytest
from pydantic import ValidationError

from datamill.classifiers.pii import PII_TYPES, PiiFinder
from datamill.pipeline import decisions
from datamill.pipeline.schema import WORKING_SCHEMA, conform
from datamill.stages.pii import Pii, PiiConfig
from tests.stages.pii_corpus import ALLOW, make_docs, negatives

CHECKSUMMED = {"cn_id", "payment_card", "iban"}


def _stage(**config) -> Pii:
    stage = Pii(PiiConfig(**config))
    stage.setup()
    return stage


def _batch(texts: list[str]) -> pa.Table:
    return conform(pa.table({"text": pa.array(texts, pa.large_string())}), WORKING_SCHEMA)


def _expected(text: str, labels: list[tuple[int, int, str]]) -> str:
    out, at = [], 0
    for start, end, kind in sorted(labels):
        out += [text[at:start], f"<{kind.upper()}>"]
        at = end
    return "".join(out) + text[at:]


@pytest.fixture(scope="module")
def docs():
    return make_docs(600)


def test_generated_set_precision_and_recall_per_type(docs):
    finder = PiiFinder(allow=ALLOW)
    tp, fp, fn = Counter(), Counter(), Counter()
    for doc in docs:
        found = {(s.start, s.end, s.type) for s in finder.find(doc.text)[0]}
        planted = set(doc.labels)
        tp.update(kind for *_, kind in found & planted)
        fp.update(kind for *_, kind in found - planted)
        fn.update(kind for *_, kind in planted - found)
    assert len(docs) == 600 and {lang for lang in (d.lang for d in docs)} == {"en", "zh"}
    for kind in PII_TYPES:
        assert tp[kind] + fn[kind] >= 200, kind  # every type planted often, in both languages
        precision = tp[kind] / (tp[kind] + fp[kind])
        recall = tp[kind] / (tp[kind] + fn[kind])
        assert precision >= 0.98, (kind, precision, fp[kind])
        assert recall >= 0.95, (kind, recall, fn[kind])
    assert sum(fp[k] for k in CHECKSUMMED) == 0 and sum(fn[k] for k in CHECKSUMMED) == 0


def test_stage_output_is_the_planted_text_with_placeholders(docs):
    stage = _stage(allow=ALLOW)
    out = stage(_batch([d.text for d in docs]))
    texts = out.column("text").to_pylist()
    exact = sum(text == _expected(d.text, d.labels) for text, d in zip(texts, docs, strict=True))
    assert exact >= 0.95 * len(docs)
    assert out.column("drop_reason").null_count == len(docs)
    first = dict(out.column("signals")[0].as_py())
    planted = Counter(kind for *_, kind in docs[0].labels)
    assert {k: first[f"pii_{k}"] for k in PII_TYPES} == {k: float(planted[k]) for k in PII_TYPES}


def test_hard_negatives_survive_unchanged():
    import random

    texts = [value for lang in ("en", "zh") for value in negatives(random.Random(3), lang)]
    out = _stage(allow=ALLOW)(_batch(texts))
    assert out.column("text").to_pylist() == texts
    for signals in out.column("signals").to_pylist():
        assert all(value == 0 for key, value in signals if key != "pii_skipped")
    assert out.column("edit").null_count == len(texts)  # nothing marked as changed


EN = "Mail john.smith@gmail.com or call +1 415-555-2671; card 4111 1111 1111 1111."
ZH = "张先生手机13812345678，身份证号11010519491231002X，邮箱zhang@qq.com。"


def test_placeholders_signals_and_lineage_exactly():
    out = _stage()(_batch([EN, ZH, "nothing here"]))
    assert out.column("text").to_pylist() == [
        "Mail <EMAIL> or call <PHONE>; card <PAYMENT_CARD>.",
        "张先生手机<PHONE>，身份证号<CN_ID>，邮箱<EMAIL>。",
        "nothing here",
    ]
    signals = dict(out.column("signals")[1].as_py())
    assert signals["pii_phone"] == 1 and signals["pii_cn_id"] == 1 and signals["pii_email"] == 1
    assert signals["pii_payment_card"] == 0 and signals["pii_skipped"] == 0
    # the runner turns the stage's `edit` marks into the rows' lineage entries
    kept, rejected, _ = decisions.split(out, "pii", Pii.version, "sha")
    assert rejected is None and "edit" not in kept.column_names
    entries = [
        [(e["stage"], e["version"], e["decision"], e["reason"]) for e in row]
        for row in kept.column("lineage").to_pylist()
    ]
    assert entries == [
        [("pii", Pii.version, "edited", "pii:redacted:email=1,payment_card=1,phone=1")],
        [("pii", Pii.version, "edited", "pii:redacted:email=1,cn_id=1,phone=1")],
        [("pii", Pii.version, "kept", None)],
    ]


def test_keep_length_pads_or_cuts_the_placeholder():
    text = "ip 8.8.4.4 and mail a.long.name@example.org"
    out = _stage(length="keep", fill="#")(_batch([text])).column("text")[0].as_py()
    assert out == "ip <IP_ADD and mail <EMAIL>" + "#" * 16
    assert len(out) == len(text)


def test_reject_count_and_allow_actions():
    key = "AKIA" + "ABCDEFGHIJKLMNOP"
    texts = [f"aws key {key} and press@unesco.org", "write to press@unesco.org", "mail x.y@qq.com"]
    stage = _stage(actions={"secret": "reject", "email": "count"}, allow=[r"press@unesco\.org"])
    out = stage(_batch(texts))
    assert out.column("drop_reason").to_pylist() == ["pii:secret", None, None]
    # a rejected row keeps no secret in rejected/; a counted type is left in place
    assert out.column("text").to_pylist() == [
        "aws key <SECRET> and press@unesco.org",
        "write to press@unesco.org",
        "mail x.y@qq.com",
    ]
    signals = [dict(s) for s in out.column("signals").to_pylist()]
    assert [s["pii_email"] for s in signals] == [0.0, 0.0, 1.0]
    assert [s["pii_skipped"] for s in signals] == [1.0, 1.0, 0.0]
    assert stage.counters == Counter({"pii_secret": 1, "pii_email": 1, "redacted_docs": 1})


def test_code_lines_keep_addresses_unless_configured():
    text = "Steps:\n```\nping 8.8.8.8\n```\nServer = 1.1.1.1 said hello"
    assert _stage()(_batch([text])).column("text")[0].as_py() == text
    scanned = _stage(skip_code=False)(_batch([text])).column("text")[0].as_py()
    assert scanned == "Steps:\n```\nping <IP_ADDRESS>\n```\nServer = <IP_ADDRESS> said hello"


def test_config_errors_name_the_key():
    with pytest.raises(ValidationError, match="allow"):
        PiiConfig(allow=["(unclosed"])
    with pytest.raises(ValidationError, match="passport"):
        PiiConfig(actions={"passport": "redact"})
