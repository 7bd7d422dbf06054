"""`datamill verify RUN_DIR`: re-read a finished run directory and check that nothing was lost.

Checks, each problem named: run.json says the run is done; every segment is committed
(`_SUCCESS`) and every rows pass has a marker and a file for each of its shards and no other
file; every stage's counts add up (docs in = kept + rejected); every Parquet file under
`stages/` and `rejected/` reads; every text reference points at a row of a file that exists;
no id is kept twice or both kept and rejected; the output and `rejected/` hold as many rows as
run.json counts.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datamill.pipeline.rundir import SHARD_MARKERS, SUCCESS
from datamill.pipeline.textref import TEXT_REF


def _ids(path: Path, problems: list[str], refs: dict[str, int]) -> list[str]:
    """The ids of a rows file; the last row it references in each file goes into `refs`."""
    try:
        parquet = pq.ParquetFile(path)
        table = parquet.read(columns=["id", *([TEXT_REF] if TEXT_REF in parquet.schema_arrow.names else [])])
    except (OSError, ValueError, KeyError) as exc:  # pyarrow's errors derive from these
        problems.append(f"{path}: unreadable Parquet ({type(exc).__name__}: {exc})")
        return []
    if TEXT_REF in table.column_names:
        file, row = table.column(TEXT_REF).combine_chunks().flatten()
        pointers = pa.table({"file": file, "row": row}).filter(pc.is_valid(file))
        for item in pointers.group_by("file").aggregate([("row", "max")]).to_pylist():
            refs[item["file"]] = max(refs.get(item["file"], -1), item["row_max"])
    return table.column("id").to_pylist()


def _reference_problems(root: Path, refs: dict[str, int]) -> list[str]:
    problems = []
    for file, last in sorted(refs.items()):
        if not (root / file).is_file():
            problems.append(f"{file}: rows refer to its texts (text_ref) but the file is missing")
        elif pq.ParquetFile(root / file).metadata.num_rows <= last:
            problems.append(f"{file}: rows refer to its row {last} (text_ref), past its end")
    return problems


def _segment_problems(root: Path, segment: dict) -> list[str]:
    folder = root / segment["dir"]
    problems = []
    if segment.get("status") != "done":
        problems.append(f"{segment['dir']}: segment status is {segment.get('status')!r}, not 'done'")
    if not (folder / SUCCESS).exists():
        problems.append(f"{segment['dir']}: no {SUCCESS} (the segment was not committed)")
    for stage, stats in segment.get("stats", {}).items():
        if not segment.get("global") and stats["docs_in"] != stats["kept"] + stats["rejected"]:
            problems.append(
                f"{segment['dir']}: stage {stage}: {stats['docs_in']} docs in != "
                f"{stats['kept']} kept + {stats['rejected']} rejected"
            )
    if not segment.get("global"):
        markers = {p.stem for p in (folder / SHARD_MARKERS).glob("*.json")}
        files = {p.stem for p in folder.glob("*.parquet")}
        for key in sorted(markers - files):
            problems.append(f"{segment['dir']}: shard {key} has a marker but no file")
        for key in sorted(files - markers):
            problems.append(f"{segment['dir']}: file {key}.parquet has no shard marker")
        if "shards" in segment and len(markers) != segment["shards"]:
            problems.append(
                f"{segment['dir']}: {len(markers)} shard markers, run.json counts {segment['shards']}"
            )
    return problems


def verify(root: Path) -> tuple[list[str], dict[str, int]]:
    """(problems, counts checked) of the run directory `root`."""
    try:
        state = json.loads((root / "run.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return [f"{root / 'run.json'}: cannot read ({exc})"], {}
    if state.get("status") != "done":
        return [f"{root}: the run is {state.get('status')!r}, not done (re-run it to finish)"], {}
    problems = [p for segment in state["segments"] for p in _segment_problems(root, segment)]
    output = root / state["output"]
    kept = []
    refs: dict[str, int] = {}
    for path in sorted((root / "stages").glob("*/*.parquet")):  # every rows pass's files read
        ids = _ids(path, problems, refs)
        if path.parent == output:
            kept += ids
    rejected = [
        i for path in sorted((root / "rejected").glob("*/*.parquet")) for i in _ids(path, problems, refs)
    ]
    problems += _reference_problems(root, refs)
    twice = sorted(i for i, n in Counter(kept).items() if n > 1)
    if twice:
        problems.append(f"{len(twice)} id(s) kept twice, e.g. {twice[0]}")
    both = sorted(set(kept) & set(rejected))
    if both:
        problems.append(f"{len(both)} id(s) both kept and rejected, e.g. {both[0]}")
    totals = state.get("totals", {})
    if len(kept) != totals.get("kept"):
        problems.append(f"{state['output']}: {len(kept)} kept rows, run.json counts {totals.get('kept')}")
    if len(rejected) != totals.get("rejected"):
        problems.append(f"rejected/: {len(rejected)} rows, run.json counts {totals.get('rejected')}")
    return problems, {"kept": len(kept), "rejected": len(rejected), "segments": len(state["segments"])}
