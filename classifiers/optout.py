"""Text-and-data-mining opt-outs a crawl sees, recorded for the licence stage.

Signals (each an `origin=value` item):
- `robots.txt=GPTBot,CCBot`: robots.txt disallows this URL for these AI crawlers;
- `x-robots-tag=noai` / `x-robots-tag=noimageai`: response header;
- `meta-robots=noai` / `meta-robots=noimageai`: `<meta name="robots">` (or a named AI agent);
- `tdm-reservation-header=1`, `tdm-reservation-meta=1`, `tdmrep.json=1`: TDMRep reservations
  (header, `<meta name="tdm-reservation">`, `/.well-known/tdmrep.json`), with `tdm-policy=URL`
  when the site names a policy.

The crawler joins them with "; " into the response's `x-datamill-opt-out` HTTP header in the
WARC, so ingest hands them on in `http_headers` like any other header.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

OPT_OUT_HEADER = "x-datamill-opt-out"
AI_AGENTS = (
    "GPTBot",
    "ChatGPT-User",
    "OAI-SearchBot",
    "CCBot",
    "Google-Extended",
    "anthropic-ai",
    "ClaudeBot",
    "Claude-Web",
    "PerplexityBot",
    "Bytespider",
    "Applebot-Extended",
    "meta-externalagent",
    "FacebookBot",
    "cohere-ai",
    "Amazonbot",
    "Diffbot",
    "Omgilibot",
    "Timpibot",
    "ImagesiftBot",
)
_NOAI = ("noai", "noimageai")


@dataclass(frozen=True)
class TdmRule:
    pattern: re.Pattern[str]
    reservation: int
    policy: str | None


@dataclass
class SitePolicy:
    """What a host says about crawling and mining: its robots.txt and TDMRep file."""

    robots: Protego | None  # None: no robots.txt (everything allowed)
    disallow_all: bool = False  # robots.txt unavailable (5xx, network): RFC 9309 says stay out
    tdm_rules: tuple[TdmRule, ...] = ()

    def allows(self, url: str, agent: str) -> bool:
        if self.disallow_all:
            return False
        return self.robots is None or self.robots.can_fetch(url, agent)

    def crawl_delay(self, agent: str) -> float | None:
        return self.robots.crawl_delay(agent) if self.robots is not None else None

    def signals(self, url: str, ai_agents: tuple[str, ...]) -> list[str]:
        """Site-level opt-outs that apply to `url` (robots.txt AI rules, tdmrep.json)."""
        out = []
        if self.robots is not None:
            blocked = [a for a in ai_agents if not self.robots.can_fetch(url, a)]
            if blocked:
                out.append("robots.txt=" + ",".join(blocked))
        path = urlsplit(url).path or "/"
        for rule in self.tdm_rules:
            if rule.pattern.match(path):
                if rule.reservation == 1:
                    out.append("tdmrep.json=1")
                    if rule.policy:
                        out.append(f"tdm-policy={rule.policy}")
                break
        return out


def parse_robots(text: str) -> Protego:
    return Protego.parse(text)


def parse_tdmrep(raw: bytes) -> tuple[TdmRule, ...]:
    """Rules of a /.well-known/tdmrep.json file; an unreadable file gives no rules."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return ()
    if not isinstance(data, list):
        return ()
    rules = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("location"), str):
            continue
        try:
            reservation = int(item.get("tdm-reservation", 0))
        except (TypeError, ValueError):
            continue
        policy = item.get("tdm-policy")
        rules.append(
            TdmRule(
                _location_pattern(item["location"]), reservation, policy if isinstance(policy, str) else None
            )
        )
    return tuple(rules)


def _location_pattern(location: str) -> re.Pattern[str]:
    """TDMRep location: a path pattern where `*` matches anything and `$` ends the path."""
    path = urlsplit(location).path if "://" in location else location
    if not path.startswith("/"):
        path = "/" + path
    anchored = path.endswith("$")
    body = ".*".join(re.escape(part) for part in path.rstrip("$").split("*"))
    return re.compile(body + ("$" if anchored else ""))


def header_signals(headers: dict[str, str], ai_agents: tuple[str, ...]) -> list[str]:
    """Opt-outs in response headers (names lower-cased): X-Robots-Tag and TDMRep."""
    out = []
    agents = {a.lower() for a in ai_agents}
    for directive in _robots_directives(headers.get("x-robots-tag", ""), agents):
        out.append(f"x-robots-tag={directive}")
    if headers.get("tdm-reservation", "").strip() == "1":
        out.append("tdm-reservation-header=1")
        if headers.get("tdm-policy"):
            out.append(f"tdm-policy={headers['tdm-policy'].strip()}")
    return out


def _robots_directives(value: str, agents: set[str]) -> list[str]:
    """noai/noimageai in an X-Robots-Tag value, general or addressed to an AI agent."""
    found = []
    for part in value.split(","):
        token = part.strip().lower()
        if ":" in token:
            agent, _, token = token.partition(":")
            if agent.strip() not in agents:
                continue
            token = token.strip()
        if token in _NOAI and token not in found:
            found.append(token)
    return found


def meta_signals(meta: dict[str, list[str]], ai_agents: tuple[str, ...]) -> list[str]:
    """Opt-outs in <meta> tags (names lower-cased): robots noai/noimageai, tdm-reservation."""
    out = []
    names = ["robots"] + [a.lower() for a in ai_agents]
    seen: list[str] = []
    for name in names:
        for content in meta.get(name, []):
            for token in (t.strip().lower() for t in content.split(",")):
                if token in _NOAI and token not in seen:
                    seen.append(token)
    out += [f"meta-robots={t}" for t in seen]
    if any(v.strip() == "1" for v in meta.get("tdm-reservation", [])):
        out.append("tdm-reservation-meta=1")
        policy = next((v.strip() for v in meta.get("tdm-policy", []) if v.strip()), None)
        if policy:
            out.append(f"tdm-policy={policy}")
    return out


def join_signals(signals: list[str]) -> str | None:
    unique = list(dict.fromkeys(signals))
    return "; ".join(unique) if unique else None
