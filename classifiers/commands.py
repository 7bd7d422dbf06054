"""`datamill classifier train|eval`: the fastText quality classifier from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, fields
from pathlib import Path


def add_commands(sub) -> None:
    """Register `classifier train` and `classifier eval` on the top-level subparsers."""
    clf = sub.add_parser("classifier", help="train or evaluate the fastText quality classifier")
    actions = clf.add_subparsers(dest="action", required=True)
    for name, help_text in (
        ("train", "train on positive/negative texts; prints held-out precision/recall/F1/ROC-AUC"),
        ("eval", "evaluate a trained model on the held-out split of positive/negative texts"),
    ):
        p = actions.add_parser(name, help=help_text)
        p.add_argument("--positive", nargs="+", required=True, help="JSONL or Parquet files of good text")
        p.add_argument("--negative", nargs="+", required=True, help="JSONL or Parquet files of bad text")
        p.add_argument("--text-field", default="text", help="column holding the text (default: text)")
        p.add_argument(
            "--holdout",
            type=float,
            default=0.2,
            help="fraction held out, chosen by a stable hash of each text (eval: 1.0 = all rows)",
        )
        p.add_argument("--seed", type=int, default=0, help="split and training seed")
        p.add_argument("--threshold", type=float, default=0.5, help="score at or above it counts as positive")
        if name == "train":
            p.add_argument(
                "--out", required=True, help="model file to write (.bin); metrics go to <out>.json"
            )
            p.add_argument("--epoch", type=int, default=10)
            p.add_argument("--lr", type=float, default=0.5)
            p.add_argument("--dim", type=int, default=64)
            p.add_argument(
                "--word-ngrams", type=int, default=2, help="2: CJK character bigrams, word bigrams"
            )
            p.add_argument("--threads", type=int, default=1)
            p.set_defaults(func=_train)
        else:
            p.add_argument("--model", required=True, help="model written by `datamill classifier train`")
            p.set_defaults(func=_eval)


def _load(args: argparse.Namespace):
    from datamill.classifiers import quality_model as qm

    if not 0 < args.holdout <= 1:
        raise SystemExit(f"--holdout must be in (0, 1], got {args.holdout}")
    try:
        pos = qm.split(qm.read_texts(args.positive, args.text_field), args.holdout, args.seed)
        neg = qm.split(qm.read_texts(args.negative, args.text_field), args.holdout, args.seed)
    except (OSError, ValueError) as exc:
        print(f"datamill classifier: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    return qm, pos, neg


def _train(args: argparse.Namespace) -> int:
    qm, (pos_train, pos_held), (neg_train, neg_held) = _load(args)
    known = {f.name for f in fields(qm.TrainParams)}
    params = qm.TrainParams(**{k: v for k, v in vars(args).items() if k in known})
    out = Path(args.out)
    try:
        model = qm.train(pos_train, neg_train, out, params)
    except ValueError as exc:
        print(f"datamill classifier train: {exc}", file=sys.stderr)
        return 2
    result = {"model": str(out), "n_train": len(pos_train) + len(neg_train), "params": asdict(params)}
    if pos_held and neg_held:
        result["held_out"] = asdict(qm.evaluate(model, pos_held, neg_held, args.threshold))
    Path(f"{out}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


def _eval(args: argparse.Namespace) -> int:
    qm, (_, pos_held), (_, neg_held) = _load(args)
    from datamill.classifiers import fasttext_model

    if not Path(args.model).is_file():
        print(f"datamill classifier eval: no model file {args.model}", file=sys.stderr)
        return 2
    model = fasttext_model.load(args.model)
    result = {"model": args.model, "held_out": asdict(qm.evaluate(model, pos_held, neg_held, args.threshold))}
    print(json.dumps(result, indent=2))
    return 0
