"""Per-stage counts that add up: each shard or batch returns one, the driver sums them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc


def reason_counts(reasons: pa.Array) -> Counter[str]:
    """Drop reasons counted by their key, `stage:reason`: without per-record detail such as the
    id in `dedup_exact:duplicate_of:<id>`."""
    keys = pc.replace_substring_regex(reasons, r"(?s)^([^:]*(?::[^:]*)?).*$", r"\1")
    counts = pc.value_counts(keys)
    values, numbers = counts.field("values").to_pylist(), counts.field("counts").to_pylist()
    return Counter(dict(zip(values, numbers, strict=True)))


@dataclass
class StageStats:
    docs_in: int = 0
    kept: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    bytes_in: int = 0
    seconds: float = 0.0
    counters: Counter[str] = field(default_factory=Counter)

    def __add__(self, other: StageStats) -> StageStats:
        return StageStats(
            self.docs_in + other.docs_in,
            self.kept + other.kept,
            self.rejected + other.rejected,
            self.bytes_in + other.bytes_in,
            self.seconds + other.seconds,
            self.counters + other.counters,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "docs_in": self.docs_in,
            "kept": self.kept,
            "rejected": sum(self.rejected.values()),
            "rejected_by_reason": dict(sorted(self.rejected.items())),
            "bytes_in": self.bytes_in,
            "seconds": round(self.seconds, 3),
            "counters": dict(sorted(self.counters.items())),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StageStats:
        return cls(
            data["docs_in"],
            data["kept"],
            Counter(data["rejected_by_reason"]),
            data["bytes_in"],
            data["seconds"],
            Counter(data.get("counters", {})),
        )
