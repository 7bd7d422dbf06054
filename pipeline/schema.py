"""The record: one Arrow schema for every document row (docs/architecture.md, The record)."""

from __future__ import annotations

import pyarrow as pa

from datamill.pipeline.hashing import sha256_hex

LINEAGE_ENTRY = pa.struct(
    [
        ("stage", pa.string()),
        ("version", pa.string()),
        ("config_sha", pa.string()),
        ("decision", pa.string()),
        ("reason", pa.string()),
    ]
)

GEN = pa.struct(
    [
        ("model", pa.string()),
        ("model_revision", pa.string()),
        ("prompt_id", pa.string()),
        ("prompt_sha256", pa.string()),
        ("sampling", pa.string()),  # JSON of the sampling parameters
        ("seed", pa.int64()),
    ]
)

SIGNALS = pa.map_(pa.string(), pa.float64())

RECORD_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("uri", pa.string()),
        ("locator", pa.string()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("content_type", pa.string()),
        ("text", pa.large_string()),
        ("title", pa.string()),
        ("published", pa.string()),
        ("lang", pa.string()),
        ("lang_score", pa.float32()),
        ("license", pa.string()),
        ("license_evidence", pa.string()),
        ("tdm_opt_out", pa.bool_()),
        ("signals", SIGNALS),
        ("quality", pa.float32()),
        ("dup_cluster", pa.string()),
        ("kind", pa.string()),
        ("parent_id", pa.string()),
        ("gen", GEN),
        ("lineage", pa.list_(LINEAGE_ENTRY)),
        ("tokens", pa.int64()),  # of the final text, by the `tokens` stage (null without it)
        # where the text is when `text` is null: a file of the run and its row (textref.py)
        ("text_ref", pa.struct([("file", pa.string()), ("row", pa.int64())])),
    ]
)

# Columns that travel through one fused row-local pass but are never written: the raw bytes
# and the response headers (extractors and the licence stage read them; `locator` points back
# at them for audits).
TRANSIENT_SCHEMA = pa.schema([("raw", pa.large_binary()), ("http_headers", pa.string())])
WORKING_SCHEMA = pa.schema(list(RECORD_SCHEMA) + list(TRANSIENT_SCHEMA))

REJECTED_SCHEMA = pa.schema(list(RECORD_SCHEMA) + [("drop_stage", pa.string()), ("drop_reason", pa.string())])


def make_id(source: str, uri: str, locator: str) -> str:
    """Stable document id: hex sha256 of (source, uri, locator), first 32 characters."""
    return sha256_hex("\x1f".join((source, uri, locator)), 32)


def conform(table: pa.Table, schema: pa.Schema = RECORD_SCHEMA) -> pa.Table:
    """Return `table` with exactly the columns of `schema`, in order: missing ones null,
    extra ones dropped, types cast. Raises ValueError naming a column that cannot be cast."""
    columns = []
    for field in schema:
        if field.name in table.column_names:
            column = table.column(field.name)
            if column.type != field.type:
                try:
                    column = column.cast(field.type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    raise ValueError(
                        f"column {field.name!r}: cannot cast {column.type} to {field.type}"
                    ) from exc
            columns.append(column)
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=schema)
