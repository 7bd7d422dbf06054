"""`datamill` command line (DESIGN §7)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline import __version__
from pipeline.config import ConfigError


def _run(args: argparse.Namespace) -> int:
    from pipeline import config as config_mod
    from pipeline.runner import RunError, Runner

    config = config_mod.load(args.config, args.set)
    run_dir = Path(args.run_dir) if args.run_dir else Path("runs") / config.name
    try:
        state = Runner(config, run_dir, address=args.address, progress=not args.quiet).run()
    except RunError as exc:
        print(f"datamill run: {exc}\nrun directory: {run_dir}", file=sys.stderr)
        return 1
    totals = state["totals"]
    print(
        f"{config.name}: {totals['docs_in']} documents in, {totals['kept']} kept, "
        f"{totals['rejected']} rejected -> {run_dir / state['output']} ({state['seconds']:.1f} s)"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="datamill", description="Raw web pages and PDFs to LLM training data."
    )
    parser.add_argument("--version", action="version", version=f"datamill {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a pipeline config (resumes a run directory that exists)")
    run.add_argument("config", help="YAML run config, e.g. configs/quickstart.yaml")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config key (dotted path; stages by name: stages.normalize.form=NFKC)",
    )
    run.add_argument("--run-dir", help="run directory (default: runs/<config name>)")
    run.add_argument(
        "--address",
        help="Ray cluster to use: auto, HOST:PORT or ray://HOST:10001 "
        "(default: RAY_ADDRESS, else a local Ray)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress display")
    run.set_defaults(func=_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"datamill: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
