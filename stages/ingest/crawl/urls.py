"""URLs for the crawler: normalization (one spelling per page), scope, and what a page links to."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


class BadUrl(ValueError):
    """A URL the crawler cannot fetch; `reason` is a short code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalize_url(url: str, base: str | None = None) -> str:
    """Canonical form: lower-case scheme and host (IDNA), no default port, no fragment, no
    credentials, dot segments resolved, unsafe characters percent-encoded (upper-case hex)."""
    url = url.strip()
    if base is not None:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadUrl("malformed_url") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise BadUrl(f"unsupported_scheme:{scheme or 'none'}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise BadUrl("missing_host")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise BadUrl("bad_hostname") from exc
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _quote(parts.path or "/", _PATH_SAFE)
    path = urlsplit(urljoin(f"{scheme}://{netloc}/", path)).path or "/"
    query = _quote(parts.query, _QUERY_SAFE)
    return urlunsplit((scheme, netloc, path, query, ""))


def _quote(text: str, safe: str) -> str:
    return _ESCAPE.sub(lambda m: m.group(0).upper(), quote(text, safe=safe))


def url_origin(url: str) -> str:
    """`scheme://host[:port]` of a normalized URL: the unit of robots.txt, politeness and sharding."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class Scope:
    """Which discovered links are followed: the seeds' hosts (`same_host`) or their domains
    and subdomains (`same_domain`, a leading 'www.' ignored), plus allow-listed domains."""

    mode: str
    hosts: frozenset[str]
    domains: frozenset[str]

    @classmethod
    def build(cls, mode: str, seeds: list[str], allow_domains: list[str]) -> Scope:
        hosts = {urlsplit(s).hostname or "" for s in seeds}
        domains = {d.lower().strip(".") for d in allow_domains}
        if mode == "same_domain":
            domains |= {h.removeprefix("www.") for h in hosts}
        return cls(mode, frozenset(hosts), frozenset(domains))

    def contains(self, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return host in self.hosts or any(host == d or host.endswith("." + d) for d in self.domains)


@dataclass
class PageScan:
    """Links and <meta> values of an HTML page (names lower-cased; values as written)."""

    links: list[str] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)
    base: str | None = None


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = PageScan()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): v or "" for k, v in attrs}
        if tag in ("a", "area") and a.get("href") and "nofollow" not in a.get("rel", "").lower().split():
            self.scan.links.append(a["href"])
        elif tag == "base" and a.get("href") and self.scan.base is None:
            self.scan.base = a["href"]
        elif tag == "meta" and a.get("name"):
            self.scan.meta.setdefault(a["name"].strip().lower(), []).append(a.get("content", ""))


def scan_html(html: str) -> PageScan:
    scanner = _Scanner()
    try:
        scanner.feed(html)
        scanner.close()
    except (AssertionError, ValueError):  # html.parser gives up on some broken markup
        pass
    return scanner.scan


def page_links(page_url: str, scan: PageScan) -> list[str]:
    """Normalized http(s) links of a page, in order, without duplicates."""
    base = urljoin(page_url, scan.base) if scan.base else page_url
    out: dict[str, None] = {}
    for href in scan.links:
        try:
            out[normalize_url(href, base)] = None
        except BadUrl:
            continue
    return list(out)
