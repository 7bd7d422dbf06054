"""The licence policy as one polars expression: why a row may not be exported (null = it may)."""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

import polars as pl

from datamill.mixes.spec import LicensePolicy

UNKNOWN = "unknown"


def license_of(column: str = "license") -> pl.Expr:
    """The licence with null read as `unknown`."""
    return pl.col(column).fill_null(UNKNOWN)


def allowed(policy: LicensePolicy, present: Iterable[str]) -> list[str]:
    """The licences among `present` that match an `allow` pattern (shell-style, e.g. CC-BY-*)."""
    return sorted(v for v in set(present) if any(fnmatchcase(v, p) for p in policy.allow))


def violation(policy: LicensePolicy, frame: pl.DataFrame) -> pl.Expr:
    """`tdm_opt_out`, `license_unknown` or `license_not_allowed:<id>` per row of `frame`, else
    null. A frame without a `tdm_opt_out` column has no opt-outs."""
    lic = license_of()
    opt_out = pl.col("tdm_opt_out").fill_null(False) if "tdm_opt_out" in frame.columns else pl.lit(False)
    ok = pl.Series(allowed(policy, frame["license"].drop_nulls().unique().to_list()), dtype=pl.String)
    return (
        pl.when(opt_out & pl.lit(policy.exclude_opt_out))
        .then(pl.lit("tdm_opt_out"))
        .when(lic == UNKNOWN)
        .then(pl.lit(None if policy.allow_unknown else "license_unknown", dtype=pl.String))
        .when(lic.is_in(ok.implode()))
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.lit("license_not_allowed:") + lic)
    )
