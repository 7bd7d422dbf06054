"""Do two finished runs hold the same rows? Compares kept ids (with text and dup_cluster) and
rejected (id, stage, reason): for a refactor that must not change behaviour.

    python bench/same_rows.py runs/before runs/after
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from datamill.pipeline import outputs
from datamill.pipeline.hashing import sha256_hex


def fingerprint(run_dir: Path) -> dict[str, list[tuple]]:
    kept = outputs.kept(run_dir)
    rejected = outputs.rejected(run_dir)
    text_sha = [sha256_hex(t or "") for t in kept.column("text").to_pylist()]
    ids, clusters = kept.column("id").to_pylist(), kept.column("dup_cluster").to_pylist()
    return {
        "kept": sorted(zip(ids, text_sha, clusters, strict=True)),
        "rejected": sorted(
            zip(*(rejected.column(c).to_pylist() for c in ("id", "drop_stage", "drop_reason")), strict=True)
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    args = parser.parse_args()
    a, b = fingerprint(args.a), fingerprint(args.b)
    same = True
    for part in ("kept", "rejected"):
        only_a, only_b = set(a[part]) - set(b[part]), set(b[part]) - set(a[part])
        print(
            f"{part}: {len(a[part])} vs {len(b[part])} rows, {len(only_a)} only in a, {len(only_b)} only in b"
        )
        for row in sorted(only_a)[:5]:
            print(f"  only in {args.a}: {row}")
        for row in sorted(only_b)[:5]:
            print(f"  only in {args.b}: {row}")
        same &= a[part] == b[part]
    print("identical" if same else "DIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
