"""Text by reference: a rows pass after the first writes only the texts its stages change; every
reader gets every text back (pipeline/textref.py)."""

import json

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datamill.mixes.scan import sizes
from datamill.pipeline import outputs, textref


def _texts(tmp_path, texts, row_group_size=2):
    folder = tmp_path / "stages" / "01-a"
    folder.mkdir(parents=True)
    table = pa.table({"id": [f"d{i}" for i in range(len(texts))], "text": pa.array(texts, pa.large_string())})
    pq.write_table(table, folder / "s.parquet", row_group_size=row_group_size)
    return table


def test_unchanged_texts_become_references_and_resolve_back(tmp_path):
    table = _texts(tmp_path, ["alpha", "beta", None, "delta", "epsilon"])
    read = textref.with_refs(table, "stages/01-a/s.parquet", 0)
    read = read.append_column(textref.TEXT_IN, read.column("text"))
    edited = pa.array(["alpha", "BETA", None, "delta", "epsilon"], pa.large_string())
    read = read.set_column(read.column_names.index("text"), "text", edited)

    written = textref.stored(read)

    assert textref.TEXT_IN not in written.column_names
    assert written.column("text").to_pylist() == [None, "BETA", None, None, None]
    assert written.column("text_ref").to_pylist() == [
        {"file": "stages/01-a/s.parquet", "row": 0},
        None,
        None,  # no text at all: nothing to point at
        {"file": "stages/01-a/s.parquet", "row": 3},
        {"file": "stages/01-a/s.parquet", "row": 4},
    ]
    # rows 4, 0, 3 (three row groups, out of order) and an inline text
    picked = written.take([4, 1, 0, 3])
    back = textref.resolve(picked, textref.TextFiles(tmp_path))
    assert back.column("text").to_pylist() == ["epsilon", "BETA", "alpha", "delta"]


def test_a_pass_that_reads_no_text_keeps_every_reference(tmp_path):
    table = _texts(tmp_path, ["one", "two", "three"])
    later = textref.with_refs(table.drop_columns(["text"]).slice(1), "stages/01-a/s.parquet", 1)
    written = textref.stored(later.append_column("text", pa.nulls(2, pa.large_string())))
    assert written.column("text").null_count == 2
    assert [r["row"] for r in written.column("text_ref").to_pylist()] == [1, 2]
    # a second reference layer keeps pointing at the file that holds the text
    again = textref.with_refs(written, "stages/03-b/s.parquet", 0)
    assert again.column("text_ref").to_pylist() == written.column("text_ref").to_pylist()


def test_a_reference_past_the_end_names_the_file(tmp_path):
    _texts(tmp_path, ["one"])
    refs = pa.table(
        {"text": pa.nulls(1, pa.large_string()), "text_ref": textref.refs("stages/01-a/s.parquet", 5, 1)}
    )
    try:
        textref.resolve(refs, textref.TextFiles(tmp_path))
    except ValueError as exc:
        assert "s.parquet: has 1 rows" in str(exc) and "row 5" in str(exc)
    else:
        raise AssertionError("no error")


def _jsonl(tmp_path, rows):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _rows():
    base = [f"第{i}篇文章。Document number {i} talks about topic {i * 7} in some detail." for i in range(12)]
    rows = [{"text": t, "url": f"https://a.example/{i}"} for i, t in enumerate(base)]
    rows.append({"text": base[3], "url": "https://a.example/copy-of-3"})  # an exact copy
    rows.append({"text": "Write to ann@mail.example for 资料.", "url": "https://a.example/mail"})
    return rows


def test_dedup_run_writes_the_text_once_and_reads_it_back(run, tmp_path):
    rows = _rows()
    _jsonl(tmp_path, rows)
    state = run(
        {
            "name": "refs",
            "batch_rows": 4,
            "sources": [{"name": "j", "kind": "jsonl", "paths": ["in.jsonl"]}],
            "stages": [{"stage": "normalize"}, {"stage": "dedup_exact"}, {"stage": "pii"}],
        }
    )
    run_dir = tmp_path / "run"
    first, _, last = state["segments"]
    assert last["stages"] == ["dedup_exact", "pii"]

    written = pq.read_table(sorted((run_dir / last["dir"]).glob("*.parquet")))
    assert written.num_rows == 13
    # only the redacted row's text was written again; the others point into the first pass
    inline = written.filter(pc.is_valid(written.column("text")))
    assert inline.column("text").to_pylist() == ["Write to <EMAIL> for 资料."]
    assert inline.column("text_ref").null_count == 1
    refs = written.filter(pc.is_null(written.column("text"))).column("text_ref").to_pylist()
    assert len(refs) == 12 and {r["file"] for r in refs} == {
        f"{first['dir']}/{p.name}" for p in (run_dir / first["dir"]).glob("*.parquet")
    }
    dropped = pq.read_table(run_dir / "rejected" / "dedup_exact")
    assert dropped.num_rows == 1 and dropped.column("text").null_count == 1

    kept = outputs.kept(run_dir)
    rejected = outputs.rejected(run_dir, "dedup_exact")
    copies = {"https://a.example/3", "https://a.example/copy-of-3"}
    (dropped_uri,) = rejected.column("uri").to_pylist()
    assert dropped_uri in copies
    assert rejected.column("text").to_pylist() == [rows[3]["text"]]
    by_url = dict(zip(kept.column("uri").to_pylist(), kept.column("text").to_pylist(), strict=True))
    expected = {r["url"]: r["text"] for r in rows if r["url"] != dropped_uri}
    expected["https://a.example/mail"] = "Write to <EMAIL> for 资料."
    assert by_url == expected

    # export's size estimate counts the referenced text as the file's own
    last_file = sorted((run_dir / last["dir"]).glob("*.parquet"))[0]
    first_file = sorted((run_dir / first["dir"]).glob("*.parquet"))[0]
    estimate = sizes(pq.ParquetFile(last_file), run_dir)
    held = sizes(pq.ParquetFile(first_file), run_dir)
    assert estimate.rows == 13 and 0.8 * held.text_raw < estimate.text_raw < 1.1 * held.text_raw
