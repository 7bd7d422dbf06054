"""Crawler parts without Ray: URLs, address safety, opt-out parsing, Retry-After, WARC resume."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from warcio.archiveiterator import ArchiveIterator

from datamill.classifiers.optout import SitePolicy, header_signals, meta_signals, parse_robots, parse_tdmrep
from datamill.stages.ingest.crawl.crawler import retry_after_seconds
from datamill.stages.ingest.crawl.net import AddressPolicy, RefusedTarget, Response, address_class
from datamill.stages.ingest.crawl.urls import BadUrl, Scope, normalize_url, page_links, scan_html
from datamill.stages.ingest.crawl.warc import ShardStore


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM:80/a/./b/../c?q=1#frag", "http://example.com/a/c?q=1"),
        ("https://example.com:443", "https://example.com/"),
        ("https://user:pw@example.com:8443/x y", "https://example.com:8443/x%20y"),
        ("http://例子.中国/路径", "http://xn--fsqu00a.xn--fiqs8s/%E8%B7%AF%E5%BE%84"),
        ("http://example.com/%7e%2f", "http://example.com/%7E%2F"),
    ],
)
def test_normalize_url(raw, expected):
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("ftp://x/y", "unsupported_scheme:ftp"),
        ("file:///etc/passwd", "unsupported_scheme:file"),
        ("http:///nohost", "missing_host"),
    ],
)
def test_bad_urls(raw, reason):
    with pytest.raises(BadUrl) as info:
        normalize_url(raw)
    assert info.value.reason == reason


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.5", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "metadata"),
        ("169.254.1.1", "link_local"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("fe80::1", "link_local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "non_global"),
        ("93.184.216.34", None),
    ],
)
def test_address_class(address, expected):
    assert address_class(ipaddress.ip_address(address)) == expected


def test_address_policy_allow_list_and_metadata_names():
    policy = AddressPolicy.from_strings(["127.0.0.1", "10.9.0.0/16"])
    policy.check(ipaddress.ip_address("127.0.0.1"))
    policy.check(ipaddress.ip_address("10.9.3.4"))
    with pytest.raises(RefusedTarget, match="refused_address:loopback"):
        policy.check(ipaddress.ip_address("127.0.0.2"))
    with pytest.raises(RefusedTarget, match="refused_address:metadata"):
        policy.resolve("metadata.google.internal", 80)  # refused by name, never resolved
    assert policy.resolve("127.0.0.1", 80) == [(2, "127.0.0.1")]


def test_scope_and_links():
    scope = Scope.build("same_domain", ["https://www.example.com/"], ["partner.org"])
    assert [
        scope.contains(u)
        for u in (
            "https://example.com/a",
            "http://blog.example.com/",
            "https://partner.org/",
            "https://other.com/",
        )
    ] == [True, True, True, False]
    host_only = Scope.build("same_host", ["https://www.example.com/"], [])
    assert [host_only.contains(u) for u in ("https://www.example.com/x", "https://blog.example.com/")] == [
        True,
        False,
    ]
    scan = scan_html(
        '<base href="/dir/"><a href="a.html#x">a</a><a href="mailto:x@y">m</a>'
        '<a rel="nofollow" href="/n">n</a><a href="a.html">again</a>'
    )
    assert page_links("https://example.com/start", scan) == ["https://example.com/dir/a.html"]


def test_opt_out_parsers():
    agents = ("GPTBot", "CCBot")
    robots = parse_robots("User-agent: *\nAllow: /\n\nUser-agent: CCBot\nDisallow: /books/\n")
    site = SitePolicy(
        robots,
        tdm_rules=parse_tdmrep(
            b'[{"location": "/books/*.pdf$", "tdm-reservation": 1}, {"location": "/", "tdm-reservation": 0}]'
        ),
    )
    assert site.signals("https://x.org/books/a.pdf", agents) == ["robots.txt=CCBot", "tdmrep.json=1"]
    assert site.signals("https://x.org/books/a.pdf?v=1", agents) == ["robots.txt=CCBot", "tdmrep.json=1"]
    assert site.signals("https://x.org/news/", agents) == []
    assert parse_tdmrep(b"not json") == ()
    assert header_signals({"x-robots-tag": "noindex, GPTBot: noai, otherbot: noimageai"}, agents) == [
        "x-robots-tag=noai"
    ]
    assert header_signals({"tdm-reservation": "1", "tdm-policy": "https://p/"}, agents) == [
        "tdm-reservation-header=1",
        "tdm-policy=https://p/",
    ]
    assert meta_signals({"ccbot": ["noimageai"], "tdm-reservation": ["0"]}, agents) == [
        "meta-robots=noimageai"
    ]


def test_retry_after_forms():
    assert retry_after_seconds("7") == 7.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after_seconds(later) <= 31
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def _response(url: str, body: bytes) -> Response:
    return Response(url, 200, "OK", [("Content-Type", "text/html")], body, [("Host", "h")], datetime.now(UTC))


def test_shard_store_resumes_a_killed_warc(tmp_path):
    store = ShardStore(tmp_path, 3, warc_max_bytes=1 << 30)
    store.finish({"url": "http://h/1", "outcome": "fetched", "status": 200}, _response("http://h/1", b"one"))
    store.finish({"url": "http://h/2", "outcome": "refused", "reason": "refused_address:private"})
    open_file = next((tmp_path / "warc").glob("*.open"))
    with open_file.open("ab") as handle:  # the kill: records of an unlogged URL, half a log line
        handle.write(b"\x1f\x8b\x08garbage of a record cut short")
    with store.log_path.open("a") as handle:
        handle.write('{"url": "http://h/3", "outc')
    resumed = ShardStore(tmp_path, 3, warc_max_bytes=1 << 30)
    assert sorted(resumed.done) == ["http://h/1", "http://h/2"]
    assert list((tmp_path / "warc").glob("*.open")) == []
    resumed.finish(
        {"url": "http://h/3", "outcome": "fetched", "status": 200}, _response("http://h/3", b"three")
    )
    resumed.close()
    names = sorted(p.name for p in (tmp_path / "warc").iterdir())
    assert names == ["crawl-00003-00000.warc.gz", "crawl-00003-00001.warc.gz"]
    uris = []
    for name in names:
        with (tmp_path / "warc" / name).open("rb") as handle:
            uris += [
                r.rec_headers.get_header("WARC-Target-URI")
                for r in ArchiveIterator(handle)
                if r.rec_type == "response"
            ]
    assert uris == ["http://h/1", "http://h/3"]
