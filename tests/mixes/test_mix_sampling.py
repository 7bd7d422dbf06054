"""Sampling, token estimate and licence policy as plain functions (no Ray, no run)."""

from __future__ import annotations

import numpy as np
import polars as pl

from datamill.mixes import policy, sampling
from datamill.mixes.spec import LicensePolicy
from datamill.mixes.tokens import estimate_tokens


def _plan(tokens, sources=None, max_epochs=1.0, cap=None, seed=1):
    tokens = np.asarray(tokens, dtype=np.int64)
    sources = np.zeros(len(tokens), np.int64) if sources is None else np.asarray(sources)
    rng = sampling.component_rng(seed, "c")
    return sampling.plan(tokens, sources, max_epochs=max_epochs, max_tokens_per_source=cap, rng=rng)


def test_plans_are_deterministic_per_seed_and_component():
    a, b, c = _plan([5] * 50), _plan([5] * 50), _plan([5] * 50, seed=2)
    assert a.sequence.tolist() == b.sequence.tolist()
    assert a.sequence.tolist() != c.sequence.tolist()
    assert sorted(a.sequence.tolist()) == list(range(50))
    other = sampling.plan(
        np.full(50, 5),
        np.zeros(50, np.int64),
        max_epochs=1,
        max_tokens_per_source=None,
        rng=sampling.component_rng(1, "d"),
    )
    assert other.sequence.tolist() != a.sequence.tolist()


def test_take_stops_at_the_prefix_closest_to_the_target():
    p = _plan([10] * 10)
    assert len(sampling.take(p, 34)) == 3
    assert len(sampling.take(p, 36)) == 4
    assert len(sampling.take(p, 1000)) == 10  # capped at one epoch
    assert len(sampling.take(p, 0)) == 0


def test_upsampling_uses_every_document_before_repeating_and_respects_fractional_caps():
    p = _plan([1] * 5, max_epochs=2.5)
    assert p.capacity == 12 and len(p.sequence) == 12
    seq = p.sequence.tolist()
    assert sorted(seq[:5]) == sorted(seq[5:10]) == [0, 1, 2, 3, 4]
    assert len(set(seq[10:])) == 2
    assert np.bincount(seq).max() == 3


def test_per_source_cap_skips_a_full_source():
    p = _plan([10, 10, 10, 10, 10], sources=[0, 0, 0, 1, 1], max_epochs=3, cap=20)
    taken = np.asarray([10] * len(p.sequence))
    per_source = np.bincount(np.asarray([0, 0, 0, 1, 1])[p.sequence], weights=taken)
    assert per_source.tolist() == [20.0, 20.0]
    assert p.capacity == 40


def test_weighted_total_is_bound_by_the_tightest_component():
    assert sampling.weighted_total({"a": 0.5, "b": 0.5}, {"a": 100, "b": 1000}) == 200
    assert sampling.weighted_total({"a": 3, "b": 1}, {"a": 300, "b": 50}) == 200


def test_token_estimate_counts_cjk_characters_and_words():
    texts = pl.Series(["你好 world, 123 foo", "データ와 한국어", None, "", "Large language models."])
    # 2 CJK + ceil(1.3 * 3) | 3 katakana (with the long-vowel mark) + 4 hangul | null | empty | ceil(1.3 * 3)
    assert estimate_tokens(texts).tolist() == [2 + 4, 3 + 4, 0, 0, 4]


def test_licence_policy_reasons():
    frame = pl.DataFrame(
        {
            "license": ["CC-BY-4.0", None, "proprietary", "MIT", "CC-BY-SA-4.0", "unknown", "CC0-1.0"],
            "tdm_opt_out": [False, None, False, False, False, False, True],
        }
    )
    strict = LicensePolicy(allow=["CC-BY-*", "MIT"])
    assert frame.select(policy.violation(strict, frame).alias("r"))["r"].to_list() == [
        None,
        "license_unknown",
        "license_not_allowed:proprietary",
        None,
        None,  # CC-BY-* matches CC-BY-SA-4.0 too: patterns are shell-style
        "license_unknown",
        "tdm_opt_out",
    ]
    lenient = LicensePolicy(allow=["CC0-1.0"], allow_unknown=True, exclude_opt_out=False)
    assert frame.select(policy.violation(lenient, frame).alias("r"))["r"].to_list() == [
        "license_not_allowed:CC-BY-4.0",
        None,
        "license_not_allowed:proprietary",
        "license_not_allowed:MIT",
        "license_not_allowed:CC-BY-SA-4.0",
        None,
        None,
    ]
