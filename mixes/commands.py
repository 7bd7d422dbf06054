"""`datamill export`, `datamill audit` and `datamill report` (README); heavy imports are lazy."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _progress():
    started = time.perf_counter()
    return lambda message: print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr)


def _export(args: argparse.Namespace) -> int:
    from datamill.mixes import spec as spec_mod
    from datamill.mixes.export import ExportError, export
    from datamill.mixes.verify import verify

    if args.verify:
        problems = verify(Path(args.verify))
        for problem in problems:
            print(f"{args.verify}: {problem}", file=sys.stderr)
        verdict = f"FAILED, {len(problems)} problem(s)" if problems else "every shard matches"
        print(f"{args.verify}: {verdict}")
        return 1 if problems else 0
    if not args.spec or not args.out:
        print("datamill export: give MIX.yaml and --out DIR (or --verify DIR)", file=sys.stderr)
        return 2
    spec = spec_mod.load(args.spec)
    try:
        manifest = export(
            spec,
            Path(args.out),
            overwrite=args.overwrite,
            spec_path=Path(args.spec),
            progress=_progress(),
            workers=args.workers,
            address=args.address,
        )
    except ExportError as exc:
        print(f"datamill export: {exc}", file=sys.stderr)
        return 1
    for comp in manifest["components"]:
        short = f", SHORT by {comp['shortfall_tokens']}" if comp["shortfall_tokens"] else ""
        print(
            f"  {comp['name']}: {comp['docs']} docs, {comp['actual_tokens']} tokens "
            f"(target {comp['target_tokens']}), weight {comp['actual_weight']:.4f}, "
            f"epochs {comp['epochs']:.2f}{short}"
        )
    totals = manifest["totals"]
    print(
        f"{spec.name}: {totals['docs']} docs, {totals['tokens']} tokens in {totals['shards']} shard(s), "
        f"{totals['bytes']} bytes -> {args.out} ({manifest['seconds']:.1f} s)"
    )
    return 0


def _audit(args: argparse.Namespace) -> int:
    from datamill.mixes import audit
    from datamill.mixes import spec as spec_mod

    path = Path(args.path)
    if args.id or args.url:
        try:
            result = audit.audit_row(path, id=args.id, url=args.url, head_bytes=args.head)
        except audit.AuditError as exc:
            print(f"datamill audit: {exc}", file=sys.stderr)
            return 1
        print(audit.format_row(result))
        return 0
    if not (path / "manifest.json").exists():
        print(f"datamill audit: {path} has no manifest.json; give --id or --url for a run", file=sys.stderr)
        return 2
    policy = spec_mod.load(args.mix).license_policy if args.mix else None
    result = audit.audit_export(path, policy)
    print(audit.format_export(result))
    return 0 if result.ok else 1


def _report(args: argparse.Namespace) -> int:
    try:
        from datamill.mixes.report import write_report
    except ModuleNotFoundError as exc:  # matplotlib lives in the `report` extra
        print(f"datamill report needs {exc.name}: pip install 'datamill[report]'", file=sys.stderr)
        return 2

    out = write_report(
        Path(args.run_dir), Path(args.out) if args.out else None, Path(args.export) if args.export else None
    )
    print(f"report: {out}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help="sample a mix spec into Parquet shards + manifest.json")
    export.add_argument("spec", nargs="?", help="YAML mix spec, e.g. configs/mixes/quickstart.yaml")
    export.add_argument("--out", help="output folder for the shards and manifest.json")
    export.add_argument("--overwrite", action="store_true", help="replace an export already in --out")
    export.add_argument("--verify", metavar="DIR", help="re-check an export's shards against its manifest")
    export.add_argument(
        "--workers", type=int, help="tasks at once (default: the CPUs; the output is the same for any number)"
    )
    export.add_argument(
        "--address",
        help="Ray cluster to run the tasks on (e.g. auto, host:6379; default RAY_ADDRESS); "
        "without one, a process pool on this machine",
    )
    export.set_defaults(func=_export)

    audit = sub.add_parser("audit", help="where a row came from and every decision on it; licence checks")
    audit.add_argument("path", help="export folder (manifest.json) or run directory (run.json)")
    which = audit.add_mutually_exclusive_group()
    which.add_argument("--id", help="row id to trace")
    which.add_argument("--url", help="row URL to trace")
    audit.add_argument("--mix", help="check the export against this spec's licence policy instead")
    audit.add_argument("--head", type=int, default=800, help="raw payload bytes to print (default 800)")
    audit.set_defaults(func=_audit)

    report = sub.add_parser("report", help="self-contained HTML report with plots of a run")
    report.add_argument("run_dir", help="run directory (run.json)")
    report.add_argument("--export", help="an export folder to compare with its targets")
    report.add_argument("--out", help="HTML file to write (default RUN_DIR/report.html)")
    report.set_defaults(func=_report)
