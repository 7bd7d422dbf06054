"""Crawl settings: `datamill crawl --config/--set`, or a run config's `kind: crawl` source."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from datamill.classifiers.optout import AI_AGENTS


class CrawlConfig(BaseModel):
    """Crawl settings (YAML via `--config`, single keys via `--set key=value`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_agent: str = "datamill/0.1 (+https://github.com/datamill/datamill)"
    robots_agent: str = "datamill"  # product token matched against robots.txt groups
    allow_addresses: list[str] = []  # IPs/networks crawlable although loopback/private/link-local
    delay_seconds: float = Field(1.0, ge=0)  # per host, between request starts
    per_host_concurrency: int = Field(1, ge=1)
    max_crawl_delay: float = Field(30.0, ge=0)  # robots.txt Crawl-delay honoured up to this
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(30.0, gt=0)
    total_timeout: float = Field(120.0, gt=0)  # whole response; a slower body is cut
    max_bytes: int = Field(10 * 1024 * 1024, ge=1)  # body size cap
    oversize: Literal["truncate", "skip"] = "truncate"  # truncate: keep the first max_bytes
    max_redirects: int = Field(5, ge=0)
    max_retries: int = Field(3, ge=0)  # on timeouts, connection errors, 429 and 5xx
    backoff_seconds: float = Field(1.0, ge=0)  # first retry wait; doubles, with jitter
    max_retry_after: float = Field(300.0, ge=0)  # a longer Retry-After gives up at once
    max_depth: int = Field(0, ge=0)  # 0: seeds only; n: follow links n steps
    scope: Literal["same_host", "same_domain"] = "same_domain"
    allow_domains: list[str] = []  # followed in addition to the seeds' hosts/domains
    max_pages_per_host: int = Field(10_000, ge=1)
    check_tdmrep: bool = True  # fetch /.well-known/tdmrep.json once per host
    ai_agents: tuple[str, ...] = AI_AGENTS  # robots.txt groups that signal an AI opt-out
    shards: int | None = Field(None, ge=1)  # Ray tasks per wave (default: 4 per CPU)
    hosts_in_parallel: int = Field(8, ge=1)  # threads per task, one host each
    task_cpus: float = Field(0.25, gt=0)  # crawling waits on the network
    warc_max_bytes: int = Field(1 << 30, ge=1 << 20)
