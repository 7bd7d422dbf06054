"""`datamill audit`: walk a training row back to its run record and raw bytes, and check an
export against its licence policy.

Row level: exported row (by id or URL) -> the run record (every stage decision in `lineage`,
licence evidence) -> the raw bytes' locator (WARC file + offset, or file path; relative to the
run's `config_dir`) -> the raw record's head. A synthetic row's parent is audited too.
Export level: licence, opt-out, source and language breakdowns and the rows that break the
policy.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.dataset as pads
from warcio.archiveiterator import ArchiveIterator

from datamill.mixes import policy as policy_mod
from datamill.mixes.export import MANIFEST
from datamill.mixes.inputs import kept_files, read_kept
from datamill.mixes.shards import SHARD_GLOB
from datamill.mixes.spec import LicensePolicy
from datamill.pipeline import textref
from datamill.pipeline.schema import RECORD_SCHEMA, REJECTED_SCHEMA

WARC_LOCATOR = re.compile(r"^(?P<path>.+)@(?P<offset>\d+)$")
MAX_PARENT_DEPTH = 8


class AuditError(LookupError):
    """The row or record asked for cannot be found."""


@dataclass
class RawHead:
    path: Path
    offset: int | None
    headers: str  # WARC and HTTP headers, or "" for a plain file
    payload: bytes  # the first bytes of the payload


@dataclass
class RowAudit:
    run_dir: Path
    record: dict[str, Any]
    status: str  # "kept" or "rejected by <stage>: <reason>"
    exported: dict[str, Any] | None = None
    raw: RawHead | None = None
    raw_error: str | None = None
    parent: RowAudit | None = None
    matches: int = 1  # rows matching the id/URL asked for


@dataclass
class ExportAudit:
    rows: int
    breakdowns: dict[str, dict[str, int]]
    violations: dict[str, int]  # reason -> rows
    examples: list[dict[str, Any]] = field(default_factory=list)  # a few offending rows

    @property
    def ok(self) -> bool:
        return not self.violations


# -- finding rows ----------------------------------------------------------------------------


def _run_state(run_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except OSError as exc:
        raise AuditError(f"{run_dir}: not a run directory (no run.json)") from exc


def _rejected_files(run_dir: Path) -> list[str]:
    return [str(p) for p in sorted((run_dir / "rejected").glob("*/*.parquet")) if not p.name.startswith(".")]


def _lookup(
    files: list[str], run_dir: Path, schema: pa.Schema, column: str, value: str
) -> list[dict[str, Any]]:
    if not files:
        return []
    dataset = pads.dataset(files, format="parquet", schema=schema)
    found = dataset.to_table(filter=pads.field(column) == value)
    return textref.resolve(found, textref.TextFiles(run_dir)).to_pylist()


def find_records(run_dir: Path, *, id: str | None = None, url: str | None = None) -> list[tuple[dict, str]]:
    """Records of a run with this id (or URI): (record, status), kept ones first."""
    state = _run_state(run_dir)
    column, value = ("id", id) if id else ("uri", url)
    found = [(r, "kept") for r in _lookup(kept_files(run_dir, state), run_dir, RECORD_SCHEMA, column, value)]
    for row in _lookup(_rejected_files(run_dir), run_dir, REJECTED_SCHEMA, column, value):
        found.append((row, f"rejected by {row['drop_stage']}: {row['drop_reason']}"))
    return found


def _export_rows(out_dir: Path, column: str, value: str) -> list[dict[str, Any]]:
    files = sorted(out_dir.glob(SHARD_GLOB))
    if not files:
        return []
    return pl.scan_parquet(files).filter(pl.col(column) == value).collect().to_dicts()


# -- raw bytes -------------------------------------------------------------------------------


def resolve_locator(locator: str, config_dir: Path) -> tuple[Path, int | None, str]:
    """(file, WARC offset or None, fragment such as `line=3`) of a record's locator."""
    base, _, fragment = locator.partition("#")
    match = WARC_LOCATOR.match(base)
    rel, offset = (match["path"], int(match["offset"])) if match else (base, None)
    path = Path(rel)
    return (path if path.is_absolute() else config_dir / path), offset, fragment


def read_raw_head(path: Path, offset: int | None, size: int = 800, fragment: str = "") -> RawHead:
    """The record's headers and first `size` payload bytes: a WARC record at `offset`, line N
    of a JSONL file (fragment `line=N`), or the head of a file."""
    with path.open("rb") as stream:
        if offset is None:
            if fragment.startswith("line="):
                line = next(itertools.islice(stream, int(fragment[5:]) - 1, None), b"")
                return RawHead(path, None, f"line {fragment[5:]}", line[:size])
            return RawHead(path, None, "", stream.read(size))
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream, check_digests=False)))
        headers = record.rec_headers.to_str()
        if record.http_headers is not None:
            headers += record.http_headers.to_str()
        return RawHead(path, offset, headers, record.content_stream().read(size))


def _row_audit(run_dir: Path, record: dict, status: str, head_bytes: int, depth: int = 0) -> RowAudit:
    state = _run_state(run_dir)
    audit = RowAudit(run_dir, record, status)
    if record.get("locator"):
        path, offset, fragment = resolve_locator(record["locator"], Path(state.get("config_dir", run_dir)))
        try:
            audit.raw = read_raw_head(path, offset, head_bytes, fragment)
        except (OSError, StopIteration, ValueError) as exc:
            audit.raw_error = f"cannot read {path}{f' @ {offset}' if offset is not None else ''}: {exc!r}"
    if record.get("kind") == "synthetic" and record.get("parent_id") and depth < MAX_PARENT_DEPTH:
        parents = find_records(run_dir, id=record["parent_id"])
        if parents:
            audit.parent = _row_audit(run_dir, *parents[0], head_bytes, depth + 1)
    return audit


def audit_row(
    path: Path, *, id: str | None = None, url: str | None = None, head_bytes: int = 800
) -> RowAudit:
    """Audit one row of an export folder (manifest.json) or of a run directory (run.json)."""
    if (id is None) == (url is None):
        raise ValueError("give exactly one of id and url")
    exported = None
    matches = 0
    if (path / MANIFEST).exists():
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        rows = _export_rows(path, "id" if id else "uri", id or url)
        if not rows:
            raise AuditError(f"no exported row with {'id' if id else 'uri'} {id or url!r} in {path}")
        exported, matches, id, url = rows[0], len(rows), rows[0]["id"], None
        run_dirs = [Path(i["path"]) for i in manifest["inputs"]]
    else:
        run_dirs = [path]
    for run_dir in run_dirs:
        found = find_records(run_dir, id=id, url=url)
        if found:
            audit = _row_audit(run_dir, *found[0], head_bytes)
            audit.exported, audit.matches = exported, matches or len(found)
            return audit
    raise AuditError(
        f"no record with {'id' if id else 'uri'} {id or url!r} in {', '.join(map(str, run_dirs))}"
    )


# -- export level ----------------------------------------------------------------------------


def audit_export(out_dir: Path, policy: LicensePolicy | None = None) -> ExportAudit:
    """Breakdowns of an export and the rows that break `policy` (default: the manifest's)."""
    manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    policy = policy or LicensePolicy.model_validate(manifest["spec"]["license_policy"])
    shards = [out_dir / s["path"] for s in manifest["shards"]]
    columns = ["id", "source", "license", "lang", "component"]
    rows = (
        pl.read_parquet(shards, columns=columns)
        if shards
        else pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
    )
    records = _input_records(manifest)
    rows = rows.join(records, on="id", how="left", suffix="_run")
    rows = rows.with_columns(
        reason=pl.when(pl.col("found").is_null())
        .then(pl.lit("not_in_inputs"))
        .when(policy_mod.license_of() != policy_mod.license_of("license_run"))
        .then(pl.lit("license_differs_from_run"))
        .otherwise(policy_mod.violation(policy, rows))
    )
    breakdowns = {
        "license": _counts(rows, policy_mod.license_of()),
        "tdm_opt_out": _counts(
            rows,
            pl.when(pl.col("found").is_null())
            .then(pl.lit("not_in_inputs"))
            .otherwise(pl.col("tdm_opt_out").cast(pl.String).fill_null("not set")),
        ),
        "source": _counts(rows, pl.col("source").fill_null("")),
        "lang": _counts(rows, pl.col("lang").fill_null("und")),
        "component": _counts(rows, pl.col("component")),
    }
    bad = rows.filter(pl.col("reason").is_not_null())
    examples = bad.select("id", "source", "license", "reason").unique("id", maintain_order=True).head(10)
    return ExportAudit(rows.height, breakdowns, _counts(bad, pl.col("reason")), examples.to_dicts())


def _input_records(manifest: dict[str, Any]) -> pl.DataFrame:
    frames = []
    for item in manifest["inputs"]:
        run_dir = Path(item["path"])
        columns = ["id", "license", "tdm_opt_out", "license_evidence"]
        frames.append(pl.from_arrow(read_kept(run_dir, _run_state(run_dir), columns)))
    records = pl.concat(frames, how="vertical")
    return records.unique("id", keep="first", maintain_order=True).with_columns(found=pl.lit(True))


def _counts(frame: pl.DataFrame, key: pl.Expr) -> dict[str, int]:
    grouped = frame.group_by(key.alias("key")).agg(n=pl.len()).sort("key")
    return {str(r["key"]): r["n"] for r in grouped.to_dicts()}


# -- text output -----------------------------------------------------------------------------


def format_row(audit: RowAudit, indent: str = "") -> str:
    rec = audit.record
    lines = []
    if audit.exported is not None:
        lines.append(f"exported row: component {audit.exported['component']!r} ({audit.matches} match(es))")
    lines += [
        f"record {rec['id']} in {audit.run_dir} ({audit.status})",
        f"  source {rec['source']}  uri {rec['uri']}",
        f"  kind {rec.get('kind')}  lang {rec.get('lang')}  quality {rec.get('quality')}",
        f"  license {rec.get('license') or 'unknown'}  evidence {rec.get('license_evidence')!r}  "
        f"tdm_opt_out {rec.get('tdm_opt_out')}",
        f"  locator {rec.get('locator')}",
        "  lineage:",
    ]
    for step in rec.get("lineage") or []:
        reason = f" ({step['reason']})" if step.get("reason") else ""
        lines.append(
            f"    {step['stage']} v{step['version']} [{step['config_sha']}]: {step['decision']}{reason}"
        )
    if audit.raw is not None:
        where = f"{audit.raw.path}" + (f" @ {audit.raw.offset}" if audit.raw.offset is not None else "")
        lines.append(f"  raw record: {where}")
        lines += ["    " + line for line in audit.raw.headers.strip().splitlines()]
        lines.append(
            "    payload head: " + audit.raw.payload.decode("utf-8", "replace")[:400].replace("\n", "\\n")
        )
    elif audit.raw_error:
        lines.append(f"  raw record: {audit.raw_error}")
    if audit.parent is not None:
        lines.append("  parent:")
        lines.append(format_row(audit.parent, indent + "    "))
    return "\n".join(indent + line for line in lines)


def format_export(result: ExportAudit) -> str:
    lines = [f"{result.rows} exported rows"]
    for name, counts in result.breakdowns.items():
        lines.append(f"by {name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if result.ok:
        lines.append("licence policy: every row complies")
    else:
        lines.append(
            "licence policy VIOLATED: " + ", ".join(f"{k} {v}" for k, v in result.violations.items())
        )
        lines += [
            f"  {e['id']} ({e['source']}, {e['license'] or 'unknown'}): {e['reason']}"
            for e in result.examples
        ]
    return "\n".join(lines)
