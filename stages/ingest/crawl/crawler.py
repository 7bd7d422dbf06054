"""`datamill crawl SEEDS --out DIR`: a polite crawler that writes WARC.gz files.

Seeds (one URL a line, `#` comments) are normalized and de-duplicated, grouped by host and
hosts sharded across Ray tasks; each task crawls its hosts in threads, one politeness gate per
host. Per URL: scheme and address checks (net.py), robots.txt (protego), a fetch with
timeouts, size cap, retries with backoff and Retry-After, redirects followed hop by hop (each
hop recorded and re-checked), opt-out signals (classifiers/optout.py) and, up to `max_depth`, links in
scope. Links and redirects to other hosts go to the next wave. Output:

    DIR/warc/crawl-SSSSS-NNNNN.warc.gz   request + response records
    DIR/log/shard-SSSSS.jsonl            one line per finished URL (outcome, status, reason)
    DIR/log/seeds.jsonl                  seeds that could not be crawled at all
    DIR/crawl.json                       config and counts of the last run

A re-run with the same DIR resumes: finished URLs are not fetched again (warc.py).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import random
import threading
import time
import zlib
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from datamill.classifiers.optout import (
    SitePolicy,
    header_signals,
    join_signals,
    meta_signals,
    parse_robots,
    parse_tdmrep,
)
from datamill.pipeline.progress import Progress
from datamill.stages.ingest.crawl.config import CrawlConfig
from datamill.stages.ingest.crawl.net import (
    AddressPolicy,
    Fetcher,
    FetchError,
    FetchLimits,
    RefusedTarget,
    Response,
)
from datamill.stages.ingest.crawl.urls import BadUrl, Scope, normalize_url, page_links, scan_html, url_origin
from datamill.stages.ingest.crawl.warc import ShardStore
from datamill.stages.ingest.decode import UndecodableError, decode, header_charset
from datamill.stages.ingest.formats import HTML_TYPES, mime_type

REDIRECTS = (301, 302, 303, 307, 308)
RETRY_STATUSES = (429, 500, 502, 503, 504)
ROBOTS_MAX_BYTES = 512 * 1024


class CrawlError(ValueError):
    """Bad seeds or crawl config: stops before any request."""


@dataclass(frozen=True)
class Item:
    url: str
    depth: int
    chain: tuple[str, ...] = ()  # URLs that redirected here

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "depth": self.depth, "chain": list(self.chain)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Item:
        return cls(data["url"], data["depth"], tuple(data.get("chain", ())))


def shard_of(host: str, shards: int) -> int:
    return int.from_bytes(hashlib.sha256(host.encode()).digest()[:8], "big") % shards


# -- one host --------------------------------------------------------------------------------


class HostGate:
    """Spaces request starts to one host by `delay` seconds; `defer` pushes the next start."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.next_start = 0.0

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_start)
            self.next_start = start + self.delay
        if start > now:
            time.sleep(start - now)

    def defer(self, seconds: float) -> None:
        with self.lock:
            self.next_start = max(self.next_start, time.monotonic() + seconds)


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _decoded_body(response: Response, limit: int) -> bytes:
    encoding = (response.header("content-encoding") or "").strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate"):
        return response.body
    try:
        wbits = 47 if "gzip" in encoding else 15
        return zlib.decompressobj(wbits).decompress(response.body, limit)
    except zlib.error:
        return b""


def _mime(response: Response) -> str:
    return mime_type(response.header("content-type"))


class HostCrawl:
    """Crawls the URLs of one host: robots.txt, politeness, retries, redirects, links."""

    def __init__(
        self,
        host: str,
        cfg: CrawlConfig,
        fetcher: Fetcher,
        store: ShardStore,
        scope: Scope,
        outside: list[Item],
    ) -> None:
        self.host, self.cfg, self.fetcher, self.store, self.scope = host, cfg, fetcher, store, scope
        self.outside = outside
        self.gate = HostGate(cfg.delay_seconds)
        self.frontier: deque[Item] = deque()
        self.seen: set[str] = set()
        self.cond = threading.Condition()
        self.active = 0
        self.site: SitePolicy | None = None
        self.site_lock = threading.Lock()
        self.fetched = sum(1 for e in store.done.values() if e.get("host") == host and e.get("status"))

    def run(self, items: list[Item]) -> None:
        for item in items:
            self._enqueue(item)
        workers = [threading.Thread(target=self._work) for _ in range(self.cfg.per_host_concurrency - 1)]
        for worker in workers:
            worker.start()
        self._work()
        for worker in workers:
            worker.join()

    def _enqueue(self, item: Item, front: bool = False) -> None:
        if url_origin(item.url) != self.host:
            with self.cond:
                self.outside.append(item)
            return
        with self.cond:
            if item.url in self.seen:
                return
            self.seen.add(item.url)
            (self.frontier.appendleft if front else self.frontier.append)(item)
            self.cond.notify()

    def _work(self) -> None:
        while True:
            with self.cond:
                while not self.frontier and self.active:
                    self.cond.wait()
                if not self.frontier:
                    self.cond.notify_all()
                    return
                item = self.frontier.popleft()
                self.active += 1
            try:
                self._visit(item)
            finally:
                with self.cond:
                    self.active -= 1
                    self.cond.notify_all()

    def _visit(self, item: Item) -> None:
        done = self.store.done.get(item.url)
        if done is not None:  # finished in an earlier run: replay what it led to, fetch nothing
            self._follow(item, done.get("redirect"), done.get("links", []))
            return
        entry: dict[str, Any] = {"url": item.url, "host": self.host, "depth": item.depth}
        if item.chain:
            entry["via"] = item.chain[-1]
        try:
            self.fetcher.vet(item.url)
        except RefusedTarget as exc:
            self.store.finish({**entry, "outcome": "refused", "reason": exc.reason})
            return
        except FetchError as exc:  # the host name does not resolve
            self.store.finish({**entry, "outcome": "failed", "reason": exc.reason})
            return
        site = self._site()
        if not site.allows(item.url, self.cfg.robots_agent):
            reason = "robots_unavailable" if site.disallow_all else "robots_disallowed"
            self.store.finish({**entry, "outcome": "robots_disallowed", "reason": reason})
            return
        if self.fetched >= self.cfg.max_pages_per_host:
            self.store.finish({**entry, "outcome": "skipped", "reason": "max_pages_per_host"})
            return
        self.fetched += 1
        response, error, attempts = self._fetch_with_retries(item.url)
        entry["attempts"] = attempts
        if response is None:
            self.store.finish({**entry, "outcome": "failed", "reason": error})
            return
        self._record(item, entry, response, error)

    def _record(self, item: Item, entry: dict[str, Any], response: Response, error: str | None) -> None:
        cfg = self.cfg
        entry.update(status=response.status, bytes=len(response.body))
        if response.truncated:
            entry["truncated"] = response.truncated
            if cfg.oversize == "skip" and response.truncated == "length":
                self.store.finish({**entry, "outcome": "too_large", "reason": f"over_{cfg.max_bytes}_bytes"})
                return
        signals = self._site().signals(item.url, cfg.ai_agents) + header_signals(
            response.header_map, cfg.ai_agents
        )
        links: list[str] = []
        redirect = None
        if response.status in REDIRECTS and response.header("location"):
            entry["outcome"] = "redirect"
            redirect = self._redirect_target(item, response, entry)
        elif 200 <= response.status < 300:
            entry["outcome"] = "fetched"
            if _mime(response) in HTML_TYPES:
                links, meta_opt_out = self._scan(item, response)
                signals += meta_opt_out
        else:
            entry["outcome"] = "gave_up" if error else "http_error"
            entry["reason"] = error or f"http_{response.status}"
        opt_out = join_signals(signals)
        if opt_out:
            entry["opt_out"] = opt_out
        if redirect:
            entry["redirect"] = redirect
        if links:
            entry["links"] = links
        self.store.finish(entry, response, opt_out)
        self._follow(item, redirect, links)

    def _redirect_target(self, item: Item, response: Response, entry: dict[str, Any]) -> str | None:
        try:
            target = normalize_url(response.header("location") or "", item.url)
        except BadUrl as exc:
            entry["reason"] = f"bad_redirect:{exc.reason}"
            return None
        if target in item.chain or target == item.url:
            entry["reason"] = "redirect_loop"
            return None
        if len(item.chain) >= self.cfg.max_redirects:
            entry["reason"] = "too_many_redirects"
            return None
        return target

    def _scan(self, item: Item, response: Response) -> tuple[list[str], list[str]]:
        body = _decoded_body(response, self.cfg.max_bytes)
        try:
            html, _ = decode(body, header_charset(response.header("content-type")), html=True)
        except UndecodableError:
            return [], []
        scan = scan_html(html)
        opt_out = meta_signals(scan.meta, self.cfg.ai_agents)
        nofollow = any("nofollow" in v.lower() for v in scan.meta.get("robots", []))
        if item.depth >= self.cfg.max_depth or nofollow:
            return [], opt_out
        return [u for u in page_links(item.url, scan) if self.scope.contains(u)], opt_out

    def _follow(self, item: Item, redirect: str | None, links: list[str]) -> None:
        if redirect:
            self._enqueue(Item(redirect, item.depth, (*item.chain, item.url)), front=True)
        if item.depth < self.cfg.max_depth:
            for link in links:
                self._enqueue(Item(link, item.depth + 1))

    def _fetch_with_retries(self, url: str) -> tuple[Response | None, str | None, int]:
        """(response, reason it is a give-up or None, attempts). A response is None only when
        no attempt got one; the last 429/5xx response is returned with its reason."""
        cfg = self.cfg
        attempt = 0
        while True:
            attempt += 1
            self.gate.wait()
            response: Response | None = None
            try:
                response = self.fetcher.get(url)
                reason = f"http_{response.status}" if response.status in RETRY_STATUSES else None
            except FetchError as exc:
                reason = exc.reason
            except RefusedTarget as exc:  # the address changed between vet and connect
                return None, exc.reason, attempt
            if reason is None:
                return response, None, attempt
            wait = cfg.backoff_seconds * 2 ** (attempt - 1) * (1 + random.random() / 4)
            if response is not None and response.status in (429, 503):
                after = retry_after_seconds(response.header("retry-after"))
                if after is not None and after > cfg.max_retry_after:
                    return response, f"{reason}:retry_after_too_long", attempt
                if after is not None:
                    wait = max(wait, after)
            if attempt > cfg.max_retries:
                return response, f"{reason}:gave_up_after_{attempt}_attempts", attempt
            self.gate.defer(wait)

    def _site(self) -> SitePolicy:
        with self.site_lock:
            if self.site is None:
                self.site = self._load_site()
            return self.site

    def _load_site(self) -> SitePolicy:
        base = self.host
        response, _ = self._fetch_small(base + "/robots.txt")
        if response is None or response.status == 429 or response.status >= 500:
            site = SitePolicy(None, disallow_all=True)
        elif 200 <= response.status < 300:
            text = _decoded_body(response, ROBOTS_MAX_BYTES).decode("utf-8", "replace")
            site = SitePolicy(parse_robots(text))
        else:  # 4xx: no rules
            site = SitePolicy(None)
        delay = site.crawl_delay(self.cfg.robots_agent)
        if delay:
            self.gate.delay = max(self.gate.delay, min(float(delay), self.cfg.max_crawl_delay))
        if self.cfg.check_tdmrep and not site.disallow_all:
            tdm, _ = self._fetch_small(base + "/.well-known/tdmrep.json")
            if tdm is not None and tdm.status == 200:
                site.tdm_rules = parse_tdmrep(_decoded_body(tdm, ROBOTS_MAX_BYTES))
        return site

    def _fetch_small(self, url: str) -> tuple[Response | None, str | None]:
        """A site file (robots.txt, tdmrep.json): same-host redirects followed, no retries."""
        for _ in range(self.cfg.max_redirects + 1):
            self.gate.wait()
            try:
                response = self.fetcher.get(url, max_bytes=ROBOTS_MAX_BYTES)
            except (FetchError, RefusedTarget) as exc:
                return None, exc.reason
            location = response.header("location")
            if response.status not in REDIRECTS or not location:
                return response, None
            try:
                url = normalize_url(location, url)
            except BadUrl as exc:
                return None, exc.reason
            if url_origin(url) != self.host:
                return None, "cross_host_redirect"
        return None, "too_many_redirects"


# -- one shard (a Ray task) ------------------------------------------------------------------


def crawl_shard(
    config_json: str, out_dir: str, shard: int, items: list[dict[str, Any]], seeds: list[str]
) -> dict:
    """Crawl the hosts of one shard; returns its counts and the items found for other hosts."""
    cfg = CrawlConfig.model_validate_json(config_json)
    store = ShardStore(Path(out_dir), shard, cfg.warc_max_bytes)
    limits = FetchLimits(cfg.connect_timeout, cfg.read_timeout, cfg.total_timeout, cfg.max_bytes)
    fetcher = Fetcher(
        AddressPolicy.from_strings(cfg.allow_addresses),
        cfg.user_agent,
        limits,
        maxsize=cfg.per_host_concurrency,
    )
    scope = Scope.build(cfg.scope, seeds, cfg.allow_domains)
    by_host: dict[str, list[Item]] = {}
    for data in items:
        item = Item.from_json(data)
        by_host.setdefault(url_origin(item.url), []).append(item)
    outside: list[Item] = []
    try:
        with ThreadPoolExecutor(max_workers=min(cfg.hosts_in_parallel, max(1, len(by_host)))) as pool:
            futures = [
                pool.submit(HostCrawl(host, cfg, fetcher, store, scope, outside).run, host_items)
                for host, host_items in by_host.items()
            ]
            for future in futures:
                future.result()
    finally:
        store.close()
        fetcher.manager.clear()
    return {"shard": shard, "counts": dict(store.counts), "outside": [i.to_json() for i in outside]}


# -- the driver ------------------------------------------------------------------------------


def read_seeds(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """(normalized unique seed URLs, log entries for lines that are not crawlable URLs)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CrawlError(f"{path}: cannot read seeds: {exc}") from exc
    seeds: dict[str, None] = {}
    bad = []
    for lineno, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            seeds[normalize_url(line)] = None
        except BadUrl as exc:
            bad.append({"url": line, "line": lineno, "outcome": "refused", "reason": exc.reason})
    return list(seeds), bad


class _LogCounter:
    """Counts log lines written so far (progress), reading only what is new."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.offsets: dict[Path, int] = {}

    def new_lines(self) -> int:
        total = 0
        for path in self.log_dir.glob("shard-*.jsonl"):
            start = self.offsets.get(path, 0)
            with path.open("rb") as handle:
                handle.seek(start)
                data = handle.read()
            self.offsets[path] = start + len(data)
            total += data.count(b"\n")
        return total


def crawl(seeds_path: Path, out_dir: Path, cfg: CrawlConfig, progress: bool = True) -> dict[str, Any]:
    """Crawl the seeds into `out_dir` on the Ray the caller started (resuming what a previous
    run finished)."""
    import ray

    seeds, bad = read_seeds(seeds_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "log").mkdir(exist_ok=True)
    with (out_dir / "log" / "seeds.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in bad)
    started = time.perf_counter()
    num_cpus = int(ray.cluster_resources().get("CPU", 1))
    shards = cfg.shards or max(1, 4 * num_cpus)
    task = ray.remote(crawl_shard).options(num_cpus=cfg.task_cpus, max_retries=0)
    config_json = cfg.model_dump_json()
    counter = _LogCounter(out_dir / "log")
    counter.new_lines()  # what earlier runs logged is not progress of this one
    counts: Counter[str] = Counter()
    wave = [Item(url, 0) for url in seeds]
    queued = {item.url for item in wave}
    waves = 0
    ui = Progress(enabled=progress)
    with ui.task("crawl", total=len(seeds) if cfg.max_depth == 0 else None) as bar:
        while wave:
            waves += 1
            groups: dict[int, list[dict[str, Any]]] = {}
            for item in wave:
                groups.setdefault(shard_of(url_origin(item.url), shards), []).append(item.to_json())
            pending = [
                task.remote(config_json, str(out_dir), s, its, seeds) for s, its in sorted(groups.items())
            ]
            results = []
            while pending:
                ready, pending = ray.wait(pending, num_returns=len(pending), timeout=0.5)
                results += ray.get(ready)
                bar.advance(counter.new_lines())
            wave = []
            for result in results:
                counts.update(result["counts"])
                for data in result["outside"]:
                    item = Item.from_json(data)
                    if item.url not in queued:
                        queued.add(item.url)
                        wave.append(item)
        bar.advance(counter.new_lines())
    totals: Counter[str] = Counter()
    for path in (out_dir / "log").glob("shard-*.jsonl"):
        with path.open(encoding="utf-8") as handle:
            totals.update(json.loads(line)["outcome"] for line in handle)
    summary = {
        "seeds": len(seeds),
        "bad_seeds": len(bad),
        "waves": waves,
        "outcomes": dict(sorted(counts.items())),  # this run
        "outcomes_total": dict(sorted(totals.items())),  # every run into this folder
        "warc_files": sorted(p.name for p in (out_dir / "warc").glob("*.warc.gz")),
        "seconds": round(time.perf_counter() - started, 3),
        "finished_at": datetime.now(UTC).isoformat(),
        "config": cfg.model_dump(mode="json"),
    }
    (out_dir / "crawl.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    return summary
