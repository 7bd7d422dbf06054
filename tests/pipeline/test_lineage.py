import pyarrow as pa

from datamill.pipeline import lineage
from datamill.pipeline.schema import LINEAGE_ENTRY, RECORD_SCHEMA, conform, make_id


def _entry(stage: str, reason=None) -> dict:
    return {"stage": stage, "version": "1", "config_sha": "s", "decision": "kept", "reason": reason}


def test_append_adds_one_entry_per_row_after_existing_ones():
    old = pa.array([[_entry("a")], [], None, [_entry("a"), _entry("b")]], pa.list_(LINEAGE_ENTRY))
    out = lineage.append(
        old.slice(1),
        stage="c",
        version="1",
        config_sha="s",
        decision="kept",
        reasons=pa.array([None, "why", None]),
    )
    assert out.to_pylist() == [[_entry("c")], [_entry("c", "why")], [_entry("a"), _entry("b"), _entry("c")]]


def test_make_id_is_stable_and_32_hex():
    first = make_id("web", "https://e.com/", "a.warc.gz@0")
    assert first == make_id("web", "https://e.com/", "a.warc.gz@0")
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != make_id("web", "https://e.com/", "a.warc.gz@1")


def test_conform_orders_casts_and_fills_columns():
    table = conform(pa.table({"text": ["x"], "extra": [1], "id": ["i"]}))
    assert table.schema == RECORD_SCHEMA
    assert table.column("id").to_pylist() == ["i"] and table.column("lang").to_pylist() == [None]
