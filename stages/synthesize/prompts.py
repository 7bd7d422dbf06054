"""Prompt templates for synthetic Q&A: YAML files with an id, a language, a system message, a
user message with `{chunk}` and `{num_pairs}` placeholders, and the format of one Q&A pair in
the output text (`{question}`, `{answer}`). The file's sha256 is recorded with every output."""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from pathlib import Path

import yaml

USER_FIELDS = frozenset({"chunk", "num_pairs"})
PAIR_FIELDS = frozenset({"question", "answer"})
KEYS = ("id", "lang", "system", "user", "pair_format")


class TemplateError(ValueError):
    """A template file is missing, malformed or lacks a placeholder."""


def _fields(text: str, where: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise TemplateError(f"{where}: {exc} (write literal braces as {{{{ and }}}})") from exc


def _check_fields(text: str, expected: frozenset[str], where: str) -> None:
    found = _fields(text, where)
    missing, unknown = sorted(expected - found), sorted(found - expected)
    if missing:
        raise TemplateError(f"{where}: missing placeholder(s) {', '.join('{' + m + '}' for m in missing)}")
    if unknown:
        raise TemplateError(f"{where}: unknown placeholder(s) {', '.join('{' + u + '}' for u in unknown)}")


@dataclass(frozen=True)
class PromptTemplate:
    id: str
    lang: str
    system: str
    user: str
    pair_format: str
    sha256: str
    path: str

    @classmethod
    def load(cls, path: Path) -> PromptTemplate:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise TemplateError(f"cannot read prompt template {path}: {exc.strerror}") from exc
        try:
            data = yaml.safe_load(raw.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise TemplateError(f"{path}: not a YAML file: {exc}") from exc
        if not isinstance(data, dict):
            raise TemplateError(f"{path}: expected a mapping with keys {', '.join(KEYS)}")
        missing = [k for k in KEYS if not isinstance(data.get(k), str) or not data[k].strip()]
        if missing:
            raise TemplateError(f"{path}: missing or empty key(s) {', '.join(missing)}")
        _check_fields(data["user"], USER_FIELDS, f"{path}: user")
        _check_fields(data["system"], frozenset(), f"{path}: system")
        _check_fields(data["pair_format"], PAIR_FIELDS, f"{path}: pair_format")
        return cls(
            id=data["id"],
            lang=data["lang"],
            system=data["system"],
            user=data["user"],
            pair_format=data["pair_format"],
            sha256=hashlib.sha256(raw).hexdigest(),
            path=str(path),
        )

    def messages(self, chunk: str, num_pairs: int) -> list[dict[str, str]]:
        """Chat messages for one chunk."""
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.user.format(chunk=chunk, num_pairs=num_pairs)},
        ]

    def instructions(self, num_pairs: int) -> str:
        """The template's own words (without the chunk): what an output must not copy."""
        return self.system + "\n" + self.user.format(chunk="", num_pairs=num_pairs)

    def format_pairs(self, pairs: list[tuple[str, str]]) -> str:
        """Output text of a synthetic row: the pairs in the template's language."""
        return "\n\n".join(self.pair_format.format(question=q, answer=a) for q, a in pairs)
