"""What a run reads: the `sources[]` of a run config, one model per kind.

Every source names the files it reads (`input_paths`, relative to the config's folder) and the
format ingest reads them in (`format`); a crawl source crawls first and then reads the WARC
files it wrote like a `warc` source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from datamill.stages.ingest.crawl.config import CrawlConfig


class SourceConfig(BaseModel):
    """Base of every source kind: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    #: a document (WARC payload, file, JSONL line) larger than this is rejected unread
    #: (`ingest:doc_too_large`), so one huge or decompression-bomb record cannot exhaust a worker
    max_doc_bytes: int = Field(64 << 20, ge=1)

    @property
    def input_paths(self) -> list[str]:
        """Files, folders or globs this source reads, relative to the config's folder."""
        raise NotImplementedError

    @property
    def format(self) -> str:
        """How ingest reads its files: warc, files, jsonl or parquet."""
        raise NotImplementedError


class _PathSource(SourceConfig):
    """A source of files already on disk, read in the format its `kind` names."""

    kind: str
    paths: list[str]

    @property
    def input_paths(self) -> list[str]:
        return self.paths

    @property
    def format(self) -> str:
        return self.kind


class WarcSource(_PathSource):
    """WARC or WARC.gz files (files, folders or glob patterns); one shard per file."""

    kind: Literal["warc"]


class FilesSource(_PathSource):
    """Folders of HTML, PDF and text files, cut into shards of `files_per_shard` files."""

    kind: Literal["files"]
    files_per_shard: int = Field(64, ge=1)


class TableSource(_PathSource):
    """JSONL or Parquet of existing text: a text column plus optional metadata."""

    kind: Literal["jsonl", "parquet"]
    text_field: str = "text"
    uri_field: str = "url"
    title_field: str = "title"


class CrawlSource(SourceConfig):
    """Seed URLs crawled into `out` (resumably, see crawl/crawler.py) before ingest; the WARC
    files it writes there (`out/warc`) are this source's input."""

    kind: Literal["crawl"]
    seeds: str
    out: str
    settings: CrawlConfig = CrawlConfig()

    @property
    def input_paths(self) -> list[str]:
        return [f"{self.out}/warc"]

    @property
    def format(self) -> str:
        return "warc"


Source = Annotated[WarcSource | FilesSource | TableSource | CrawlSource, Field(discriminator="kind")]
KINDS = ("warc", "files", "jsonl", "parquet", "crawl")  # the tags of `Source`


def expand_paths(base_dir: Path, patterns: list[str]) -> list[Path]:
    """Files, folders and globs, resolved against `base_dir`; what does not exist is left out."""
    out: list[Path] = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            out.extend(sorted(base_dir.glob(pattern)))
        elif (base_dir / pattern).exists():
            out.append(base_dir / pattern)
    return out
