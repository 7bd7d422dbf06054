"""Deterministic weighted sampling of whole documents to token targets.

A component's pool is read as a sequence of passes, each a seeded permutation of its
documents; at most `ceil(max_epochs)` passes, never more than `max_epochs` x the pool's
tokens, and no source beyond `max_tokens_per_source`. The sample is the prefix of that
sequence whose token count is closest to the target, so documents repeat only once every
other document has been used as often (upsampling by whole documents).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Plan:
    """The order in which a component's documents would be taken, and how far it may go."""

    sequence: np.ndarray  # positions into the pool, in take order (repeats allowed)
    cumulative: np.ndarray  # tokens taken after each step of `sequence`
    available_tokens: int  # tokens of the pool, each document once

    @property
    def capacity(self) -> int:
        return int(self.cumulative[-1]) if len(self.cumulative) else 0


def component_rng(seed: int, component: str) -> np.random.Generator:
    digest = hashlib.sha256(f"{seed}\x1f{component}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def plan(
    tokens: np.ndarray,
    sources: np.ndarray,
    *,
    max_epochs: float,
    max_tokens_per_source: int | None,
    rng: np.random.Generator,
) -> Plan:
    """Order the pool's documents (`tokens[i]`, `sources[i]` an integer code) for sampling."""
    n = len(tokens)
    available = int(tokens.sum())
    if n == 0:
        return Plan(np.empty(0, np.int64), np.empty(0, np.int64), 0)
    passes = math.ceil(max_epochs)
    sequence = np.concatenate([rng.permutation(n) for _ in range(passes)])
    taken = tokens[sequence]
    if max_tokens_per_source is not None:
        keep = _source_cumulative(sources[sequence], taken) <= max_tokens_per_source
        sequence, taken = sequence[keep], taken[keep]
    cumulative = np.cumsum(taken)
    limit = math.floor(available * max_epochs)
    end = int(np.searchsorted(cumulative, limit, side="right"))
    return Plan(sequence[:end], cumulative[:end], available)


def _source_cumulative(codes: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    """Running token total of each step's source, up to and including that step."""
    order = np.lexsort((np.arange(len(codes)), codes))
    sorted_tokens = tokens[order]
    sorted_codes = codes[order]
    running = np.cumsum(sorted_tokens)
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_codes)) + 1]
    group_offset = np.repeat(running[starts] - sorted_tokens[starts], np.diff(np.r_[starts, len(codes)]))
    out = np.empty_like(running)
    out[order] = running - group_offset
    return out


def take(p: Plan, target: int) -> np.ndarray:
    """Positions of the prefix whose token count is closest to `target` (at most the capacity)."""
    if target <= 0 or not len(p.cumulative):
        return p.sequence[:0]
    end = int(np.searchsorted(p.cumulative, target, side="left"))
    if end >= len(p.cumulative):
        return p.sequence
    above = int(p.cumulative[end]) - target
    below = target - (int(p.cumulative[end - 1]) if end > 0 else 0)
    return p.sequence[: end + 1] if above <= below else p.sequence[:end]


def weighted_total(weights: dict[str, float], capacities: dict[str, int]) -> int:
    """The largest total whose weighted shares every component can supply."""
    norm = sum(weights.values())
    return int(min(capacities[name] * norm / w for name, w in weights.items()))


def shuffle_order(n: int, seed: int) -> np.ndarray:
    return component_rng(seed, "\x00output-order").permutation(n)
