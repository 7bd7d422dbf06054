"""What every heuristic rule set is: parameters, signals, and checks that name a reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict


class RuleParams(BaseModel):
    """Thresholds of one rule set for one language; None switches a check off."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Check:
    signal: str  # key in signals
    bound: Literal["min", "max"]
    param: str  # field of the rule set's params holding the threshold
    reason: str  # drop reason (after `quality:`) when the bound is crossed


def ngram_checks(prefix: str, top_ns: tuple[int, ...], dup_ns: tuple[int, ...]) -> tuple[Check, ...]:
    """Checks of the repetition signals `<prefix>top_<n>gram_frac` / `<prefix>dup_<n>gram_frac`
    against params `max_top_<n>gram_frac` / `max_dup_<n>gram_frac`."""
    top = (
        Check(f"{prefix}top_{n}gram_frac", "max", f"max_top_{n}gram_frac", f"{prefix}top_{n}gram")
        for n in top_ns
    )
    dup = (
        Check(f"{prefix}dup_{n}gram_frac", "max", f"max_dup_{n}gram_frac", f"{prefix}duplicate_{n}grams")
        for n in dup_ns
    )
    return (*top, *dup)


def failures(
    signals: dict[str, float], checks: tuple[Check, ...], params: RuleParams
) -> list[tuple[str, float]]:
    """(reason, value) of every check the signals fail, in check order."""
    out = []
    for check in checks:
        limit = getattr(params, check.param)
        value = signals.get(check.signal)
        if limit is None or value is None:
            continue
        if (check.bound == "min" and value < limit) or (check.bound == "max" and value > limit):
            out.append((check.reason, value))
    return out
