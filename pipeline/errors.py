"""Errors that say how much work stops, and the one formatter of pydantic errors."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pydantic import ValidationError


class ConfigError(ValueError):
    """Bad configuration: stops the command before any work starts, naming the file and key."""


def key_path(loc: tuple[Any, ...], tags: Collection[str] = ()) -> str:
    """A pydantic error location as a config key: `stages[2].threshold`, `backend.kind`;
    `tags` are the discriminator values of tagged unions, which are not keys."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith(("function-", "tagged-union")) and part not in tags:
            out += f".{part}" if out else str(part)
    return out


def validation_errors(
    exc: ValidationError, prefix: str = "", tags: Collection[str] = ()
) -> list[tuple[str, str]]:
    """(key, message) for every error of `exc`, keys under `prefix`."""
    out = []
    for err in exc.errors():
        key = key_path(err["loc"], tags)
        out.append((f"{prefix}.{key}" if prefix and key else prefix or key or "(top level)", err["msg"]))
    return out


def config_error(where: str, errors: list[tuple[str, str]], what: str = "configuration") -> ConfigError:
    """One ConfigError listing every bad key of `where` (a file, or a file with overrides)."""
    lines = [f"{where}: {key}: {msg}" for key, msg in errors]
    return ConfigError(f"bad {what}\n  " + "\n  ".join(lines))
