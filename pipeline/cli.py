"""`datamill` command line (README, Command line)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from datamill.pipeline import __version__
from datamill.pipeline.config import ConfigError
from datamill.pipeline.terminal import ray_output_to

RAY_LOG = "ray.log"  # Ray's own start-up and worker messages, beside the command's output


def _run(args: argparse.Namespace) -> int:
    from datamill.pipeline import config as config_mod
    from datamill.pipeline.runner import RunError, Runner

    config = config_mod.load(args.config, args.set)
    run_dir = Path(args.run_dir) if args.run_dir else Path("runs") / config.name
    log = run_dir / RAY_LOG
    try:
        with _ray_command(log):
            state = Runner(config, run_dir, address=args.address, progress=not args.quiet).run()
    except RunError as exc:
        print(f"datamill run: {exc}\nrun directory: {run_dir}\nRay's messages: {log}", file=sys.stderr)
        return 1
    totals = state["totals"]
    print(
        f"{config.name}: {totals['docs_in']} documents in, {totals['kept']} kept, "
        f"{totals['rejected']} rejected -> {run_dir / state['output']} ({state['seconds']:.1f} s)\n"
        f"counts per stage: {run_dir / 'run.json'}; Ray's messages: {log}"
    )
    return 0


@contextmanager
def _ray_command(log: Path) -> Iterator[None]:
    """Ray's output to `log` for the length of a command, and the Ray it started or joined
    stopped at the end, while its output still goes there."""
    import ray

    with ray_output_to(log):
        try:
            yield
        finally:
            if ray.is_initialized():
                _stop_monitor()
                ray.shutdown()


def _stop_monitor() -> None:
    """Kill the autoscaler monitor of a Ray this process started. `ray.shutdown` stops the GCS
    before it, and its SIGTERM handler then waits on the GCS until Ray kills it a second
    later: a second of every command. It holds nothing to save."""
    from ray._private import ray_constants, worker

    node = getattr(worker, "_global_node", None)
    for info in getattr(node, "all_processes", {}).get(ray_constants.PROCESS_TYPE_MONITOR, []):
        info.process.kill()
        info.process.wait()


def _crawl(args: argparse.Namespace) -> int:
    from datamill.pipeline import ray_session
    from datamill.pipeline.config import RayConfig, load_model
    from datamill.stages.ingest.crawl.config import CrawlConfig
    from datamill.stages.ingest.crawl.crawler import CrawlError, crawl

    overrides = list(args.set) + ([f"max_depth={args.depth}"] if args.depth is not None else [])
    config = load_model(CrawlConfig, args.config, overrides, "crawl configuration")
    if args.allow_address:
        config = config.model_copy(update={"allow_addresses": [*config.allow_addresses, *args.allow_address]})
    log = Path(args.out) / "log" / RAY_LOG
    try:
        with _ray_command(log):
            ray_session.init(RayConfig())
            summary = crawl(Path(args.seeds), Path(args.out), config, progress=not args.quiet)
    except CrawlError as exc:
        print(f"datamill crawl: {exc}", file=sys.stderr)
        return 2
    outcomes = ", ".join(f"{k} {v}" for k, v in summary["outcomes"].items()) or "nothing new"
    print(f"crawl: {summary['seeds']} seeds, {outcomes} -> {args.out} ({summary['seconds']:.1f} s)")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from datamill.pipeline.verify import verify

    problems, counts = verify(Path(args.run_dir))
    if problems:
        print(f"datamill verify: {len(problems)} problem(s) in {args.run_dir}:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(
        f"{args.run_dir}: ok ({counts['segments']} segments, {counts['kept']} rows kept, "
        f"{counts['rejected']} rejected, every file read)"
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

    crawl = sub.add_parser("crawl", help="fetch seed URLs politely into WARC.gz files (resumable)")
    crawl.add_argument("seeds", help="text file, one URL a line (# comments)")
    crawl.add_argument("--out", required=True, help="output folder (warc/, log/, crawl.json)")
    crawl.add_argument(
        "--config", help="YAML crawl settings (keys of CrawlConfig in stages/ingest/crawl/config.py)"
    )
    crawl.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a setting")
    crawl.add_argument("--depth", type=int, help="follow links this many steps (default 0: seeds only)")
    crawl.add_argument(
        "--allow-address",
        action="append",
        default=[],
        metavar="IP_OR_NET",
        help="crawl this private/loopback address anyway (repeatable), e.g. 127.0.0.1",
    )
    crawl.add_argument("--quiet", action="store_true", help="no progress display")
    crawl.set_defaults(func=_crawl)

    check = sub.add_parser(
        "verify", help="check a finished run directory: counts add up, files read, no id twice"
    )
    check.add_argument("run_dir", help="run directory, e.g. runs/quickstart")
    check.set_defaults(func=_verify)

    from datamill.mixes.commands import add_commands  # export, audit, report

    add_commands(sub)

    from datamill.classifiers.commands import add_commands as add_classifier_commands  # classifier train|eval

    add_classifier_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"datamill: {exc}", file=sys.stderr)
        return 2


def console() -> None:
    """The `datamill` command: `main`, then out without the interpreter's teardown, which spent
    0.45 s after every run freeing numba's, Arrow's and Ray's modules one by one. By then the
    command's files are closed and the Ray it started is stopped; logging is flushed here (an
    exception that escapes `main` still ends the usual way, with its traceback)."""
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    console()
