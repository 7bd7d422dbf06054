"""The crawler against real HTTP servers on 127.0.0.1 (started here), run on Ray."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from datamill.classifiers.optout import OPT_OUT_HEADER
from datamill.stages.ingest.crawl.crawler import CrawlConfig, crawl

ROBOTS = b"""User-agent: *
Disallow: /private/

User-agent: GPTBot
Disallow: /

User-agent: CCBot
Disallow: /ai-blocked/
"""
TDMREP = b'[{"location": "/tdm/*", "tdm-reservation": 1, "tdm-policy": "https://example.org/policy.json"}]'


def html(title: str, body: str, head: str = "") -> bytes:
    return f"<html><head><title>{title}</title>{head}</head><body><p>{body}</p></body></html>".encode()


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # clients that time out hang up
        pass


class Site:
    """A small web site on 127.0.0.1: fixed routes, every hit recorded with its time."""

    def __init__(self) -> None:
        self.hits: dict[str, list[float]] = defaultdict(list)
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                with site.lock:
                    site.hits[self.path].append(time.monotonic())
                    count = len(site.hits[self.path])
                site.respond(self, self.path, count)

            def log_message(self, *args) -> None:
                pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def respond(self, h: BaseHTTPRequestHandler, path: str, count: int) -> None:
        if path == "/robots.txt":
            return send(h, 200, ROBOTS, "text/plain")
        if path == "/.well-known/tdmrep.json":
            return send(h, 200, TDMREP, "application/json")
        if path == "/ok":
            return send(h, 200, html("OK", "你好，世界。Hello."), "text/html; charset=utf-8")
        if path == "/links":
            body = '<a href="/ok">ok</a> <a href="/private/x">p</a> <a href="http://127.0.0.2/out">o</a>'
            return send(h, 200, html("Links", body), "text/html")
        if path == "/noai":
            return send(h, 200, html("No AI", "x"), "text/html", [("X-Robots-Tag", "noai, noimageai")])
        if path == "/meta-noai":
            head = '<meta name="robots" content="noai"><meta name="tdm-reservation" content="1">'
            return send(h, 200, html("Meta", "x", head), "text/html")
        if path == "/tdm/doc":
            return send(h, 200, html("TDM", "reserved"), "text/html", [("tdm-reservation", "1")])
        if path == "/ai-blocked/page":
            return send(h, 200, html("AI blocked", "x"), "text/html")
        if path == "/private/secret":
            return send(h, 200, html("Secret", "x"), "text/html")
        if path == "/429":
            if count == 1:
                return send(h, 429, b"slow down", "text/plain", [("Retry-After", "1")])
            return send(h, 200, html("After 429", "x"), "text/html")
        if path == "/500":
            return send(h, 500, b"broken", "text/plain")
        if path == "/slow":
            time.sleep(3)
            return send(h, 200, html("Slow", "x"), "text/html")
        if path == "/loop/a":
            return send(h, 302, b"", "text/plain", [("Location", "/loop/b")])
        if path == "/loop/b":
            return send(h, 302, b"", "text/plain", [("Location", self.url("/loop/a"))])
        if path.startswith("/chain/"):
            n = int(path.rsplit("/", 1)[1])
            return send(h, 301, b"", "text/plain", [("Location", f"/chain/{n + 1}")])
        if path == "/to-private":
            return send(h, 302, b"", "text/plain", [("Location", "http://10.1.2.3/admin")])
        if path == "/to-metadata":
            return send(h, 302, b"", "text/plain", [("Location", "http://169.254.169.254/latest/meta-data/")])
        if path == "/to-loopback":
            return send(h, 302, b"", "text/plain", [("Location", f"http://127.0.0.2:{self.port}/ok")])
        if path == "/big":
            return send(h, 200, b"<html><body>" + b"x" * 300_000 + b"</body></html>", "text/html")
        if path == "/gzip":
            return send(
                h, 200, gzip.compress(html("Gzip", "压缩的页面")), "text/html", [("Content-Encoding", "gzip")]
            )
        return send(h, 404, b"not found", "text/plain")

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def send(h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str, headers=()) -> None:
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for name, value in headers:
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(body)


FAST = {
    "allow_addresses": ["127.0.0.1"],
    "delay_seconds": 0.0,
    "connect_timeout": 1.0,
    "read_timeout": 1.0,
    "total_timeout": 5.0,
    "backoff_seconds": 0.05,
    "max_retries": 2,
    "max_redirects": 3,
    "max_bytes": 100_000,
}


def write_seeds(path: Path, urls: list[str]) -> Path:
    path.write_text("# test seeds\n" + "\n".join(urls) + "\n", encoding="utf-8")
    return path


def log_entries(out: Path) -> dict[str, dict]:
    entries = {}
    for path in sorted((out / "log").glob("shard-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            assert entry["url"] not in entries, f"{entry['url']} logged twice"
            entries[entry["url"]] = entry
    return entries


def warc_records(out: Path) -> list:
    records = []
    for path in sorted((out / "warc").glob("*.warc.gz")):
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                headers = dict(record.http_headers.headers) if record.http_headers else {}
                records.append(
                    {
                        "type": record.rec_type,
                        "uri": record.rec_headers.get_header("WARC-Target-URI"),
                        "id": record.rec_headers.get_header("WARC-Record-ID"),
                        "concurrent": record.rec_headers.get_header("WARC-Concurrent-To"),
                        "truncated": record.rec_headers.get_header("WARC-Truncated"),
                        "digest": record.rec_headers.get_header("WARC-Payload-Digest"),
                        "date": record.rec_headers.get_header("WARC-Date"),
                        "status": record.http_headers.get_statuscode() if record.http_headers else None,
                        "headers": {k.lower(): v for k, v in headers.items()},
                        "body": record.content_stream().read(),
                    }
                )
    return records


@pytest.fixture(scope="module")
def crawled(ray_session, tmp_path_factory):
    """One crawl over every behaviour of the test site; the tests below read its output."""
    out = tmp_path_factory.mktemp("crawl")
    with Site() as site:
        paths = [
            "/ok", "/links", "/noai", "/meta-noai", "/tdm/doc", "/ai-blocked/page", "/private/secret",
            "/429", "/500", "/slow", "/loop/a", "/chain/0", "/to-private", "/to-metadata", "/to-loopback",
            "/big", "/gzip", "/ok#fragment",
        ]  # fmt: skip
        seeds = write_seeds(out / "seeds.txt", [site.url(p) for p in paths] + ["ftp://example.org/x"])
        summary = crawl(seeds, out / "out", CrawlConfig(**FAST), progress=False)
        hits = {k: list(v) for k, v in site.hits.items()}
        yield site, out / "out", summary, hits


def test_seeds_are_normalized_and_deduplicated(crawled):
    site, out, summary, hits = crawled
    assert summary["seeds"] == 17  # "/ok#fragment" is "/ok"
    assert summary["bad_seeds"] == 1
    bad = [json.loads(line) for line in (out / "log" / "seeds.jsonl").read_text().splitlines()]
    assert bad == [
        {"url": "ftp://example.org/x", "line": 20, "outcome": "refused", "reason": "unsupported_scheme:ftp"}
    ]
    assert len(hits["/ok"]) == 1
    assert len(hits["/robots.txt"]) == 1 and len(hits["/.well-known/tdmrep.json"]) == 1


def test_warc_has_one_response_and_request_per_fetched_url(crawled):
    site, out, summary, hits = crawled
    entries = log_entries(out)
    records = warc_records(out)
    assert Counter(r["type"] for r in records)["warcinfo"] == len(list((out / "warc").glob("*.warc.gz")))
    responses = [r for r in records if r["type"] == "response"]
    fetched = sorted(u for u, e in entries.items() if "status" in e)
    assert sorted(r["uri"] for r in responses) == fetched
    ids = {r["id"]: r for r in responses}
    requests = [r for r in records if r["type"] == "request"]
    assert sorted(ids[r["concurrent"]]["uri"] for r in requests) == fetched
    for r in responses:
        assert r["digest"].startswith("sha1:") and r["date"].endswith("Z")
    ok = next(r for r in responses if r["uri"] == site.url("/ok"))
    assert ok["status"] == "200" and "你好，世界。".encode() in ok["body"]
    gz = next(r for r in responses if r["uri"] == site.url("/gzip"))
    assert "压缩的页面".encode() in gz["body"]  # warcio undoes Content-Encoding on read


def test_robots_txt_disallow_is_honoured(crawled):
    site, out, summary, hits = crawled
    entries = log_entries(out)
    assert "/private/secret" not in hits
    assert entries[site.url("/private/secret")]["outcome"] == "robots_disallowed"


def test_429_waits_for_retry_after(crawled):
    site, out, summary, hits = crawled
    first, second = hits["/429"]
    assert second - first >= 0.95
    entry = log_entries(out)[site.url("/429")]
    assert (entry["outcome"], entry["status"], entry["attempts"]) == ("fetched", 200, 2)


def test_500_is_retried_then_given_up(crawled):
    site, out, summary, hits = crawled
    assert len(hits["/500"]) == 3  # max_retries 2
    entry = log_entries(out)[site.url("/500")]
    assert entry["outcome"] == "gave_up"
    assert entry["reason"] == "http_500:gave_up_after_3_attempts"


def test_slow_server_times_out(crawled):
    site, out, summary, hits = crawled
    entry = log_entries(out)[site.url("/slow")]
    assert (entry["outcome"], entry["reason"]) == ("failed", "timeout:gave_up_after_3_attempts")
    assert len(hits["/slow"]) == 3


def test_redirect_loop_and_chain_are_stopped(crawled):
    site, out, summary, hits = crawled
    entries = log_entries(out)
    assert len(hits["/loop/a"]) == 1 and len(hits["/loop/b"]) == 1
    assert entries[site.url("/loop/b")]["reason"] == "redirect_loop"
    assert entries[site.url("/loop/b")]["via"] == site.url("/loop/a")
    assert sorted(p for p in hits if p.startswith("/chain/")) == [f"/chain/{n}" for n in range(4)]
    assert entries[site.url("/chain/3")]["reason"] == "too_many_redirects"


def test_redirects_to_refused_addresses_are_refused(crawled):
    site, out, summary, hits = crawled
    entries = log_entries(out)
    assert entries["http://10.1.2.3/admin"]["outcome"] == "refused"
    assert entries["http://10.1.2.3/admin"]["reason"] == "refused_address:private"
    assert entries["http://169.254.169.254/latest/meta-data/"]["reason"] == "refused_address:metadata"
    loopback = entries[f"http://127.0.0.2:{site.port}/ok"]
    assert (loopback["reason"], loopback["via"]) == ("refused_address:loopback", site.url("/to-loopback"))
    assert entries[site.url("/to-private")]["redirect"] == "http://10.1.2.3/admin"


def test_page_over_size_cap_is_cut(crawled):
    site, out, summary, hits = crawled
    big = next(r for r in warc_records(out) if r["uri"] == site.url("/big") and r["type"] == "response")
    assert big["truncated"] == "length" and len(big["body"]) == 100_000
    assert log_entries(out)[site.url("/big")]["truncated"] == "length"


def test_opt_out_signals_recorded_in_response_headers(crawled):
    site, out, summary, hits = crawled
    found = {r["uri"]: r["headers"].get(OPT_OUT_HEADER) for r in warc_records(out) if r["type"] == "response"}
    assert found[site.url("/ok")] == "robots.txt=GPTBot"
    assert found[site.url("/noai")] == "robots.txt=GPTBot; x-robots-tag=noai; x-robots-tag=noimageai"
    assert found[site.url("/meta-noai")] == "robots.txt=GPTBot; meta-robots=noai; tdm-reservation-meta=1"
    assert found[site.url("/ai-blocked/page")] == "robots.txt=GPTBot,CCBot"
    assert found[site.url("/tdm/doc")] == (
        "robots.txt=GPTBot; tdmrep.json=1; tdm-policy=https://example.org/policy.json; "
        "tdm-reservation-header=1"
    )


def test_links_followed_within_scope_and_depth(ray_session, tmp_path):
    with Site() as site:
        seeds = write_seeds(tmp_path / "seeds.txt", [site.url("/links")])
        crawl(seeds, tmp_path / "d0", CrawlConfig(**FAST), progress=False)
        assert "/ok" not in site.hits
        crawl(seeds, tmp_path / "d1", CrawlConfig(**FAST, max_depth=1), progress=False)
        entries = log_entries(tmp_path / "d1")
    assert len(site.hits["/ok"]) == 1
    assert entries[site.url("/ok")]["depth"] == 1
    assert entries[site.url("/private/x")]["outcome"] == "robots_disallowed"
    assert "http://127.0.0.2/out" not in entries  # another host: out of scope


def test_rerun_fetches_only_new_urls(ray_session, tmp_path):
    with Site() as site:
        out = tmp_path / "out"
        crawl(
            write_seeds(tmp_path / "a.txt", [site.url("/ok"), site.url("/noai")]),
            out,
            CrawlConfig(**FAST),
            False,
        )
        summary = crawl(
            write_seeds(tmp_path / "b.txt", [site.url("/ok"), site.url("/noai"), site.url("/gzip")]),
            out,
            CrawlConfig(**FAST),
            False,
        )
        hits = dict(site.hits)
    assert [len(hits[p]) for p in ("/ok", "/noai", "/gzip", "/robots.txt")] == [1, 1, 1, 2]
    assert summary["outcomes"] == {"fetched": 1}
    assert summary["outcomes_total"] == {"fetched": 3}
    responses = [r["uri"] for r in warc_records(out) if r["type"] == "response"]
    assert sorted(responses) == sorted(site.url(p) for p in ("/ok", "/noai", "/gzip"))


def test_oversize_skip_records_no_response(ray_session, tmp_path):
    with Site() as site:
        seeds = write_seeds(tmp_path / "s.txt", [site.url("/big")])
        crawl(seeds, tmp_path / "out", CrawlConfig(**{**FAST, "oversize": "skip"}), progress=False)
    entry = log_entries(tmp_path / "out")[site.url("/big")]
    assert (entry["outcome"], entry["reason"]) == ("too_large", "over_100000_bytes")
    assert [r for r in warc_records(tmp_path / "out") if r["type"] == "response"] == []
