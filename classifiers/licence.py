"""Licence detection for one document: evidence from HTTP headers, HTML structure, PDF
metadata and text statements, combined into an SPDX id, `proprietary` or `unknown`.

Evidence is ranked: structured declarations (JSON-LD `license`, `rel="license"` to a known
licence, `<meta name="dc.rights|copyright|license">`, a `Link: rel=license` header, PDF XMP and
/Rights) beat a Creative Commons link or badge in the page, which beats a CC sentence in the
text, which beats a rights-reserved statement, which beats a bare "© 2024" notice. Traps are
recorded as ignored, never as the page's licence: a licence inside an image/media credit
(a figure holding an image, a caption, a small photo-credit element, or a clause about a
photo), `rel="license"` pointing at something that is no licence (terms of service), a
licence only named, not granted ("CC BY forbids nothing"; a link to a licence in running
text), and anything inside <script>/<style> or a code block (<pre>, <code>).

A credit is judged by what it is attached to, never by its ancestors' classes (a page whose
<body> says `single-format-image` or `mediawiki`, or a Bootstrap `media` box, is no credit): a
figcaption, a figure holding an image, a short element whose own class says credit/caption, a
short line that starts like a credit ("Photo:", "Foto di", "Bild:", "Imagen:", "写真：",
"사진=", "图片来源：") or a short line holding a licence or © right after (or around) an image or
video. A line about the page ("the content of this site", "Die Inhalte dieser Website",
"本站内容") is never a credit, wherever it sits.

`rel="license"` and `rel="copyright"` to a licence deed are structured declarations; to
anything else (terms, a site's copyright page) they are noted and ignored. A
`<meta name="copyright|dc.rights">` holding a holder's name and no licence is a copyright
notice (weakest evidence: rights reserved by default, beaten by any licence on the page).
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass, field

import lxml.html
from lxml import etree
from trafilatura.metadata import extract_license

from datamill.classifiers import licence_rules as rules
from datamill.classifiers.optout import OPT_OUT_HEADER

# evidence strength
STRUCTURED, PAGE_LINK, TEXT_LICENCE, TEXT_RESERVED, NOTICE = 5, 4, 3, 2, 1
_CREDIT_TAGS = {"figcaption", "picture"}
_MEDIA_TAGS = ("img", "picture", "video", "audio", "iframe", "svg")
_CLASS_SPLIT = re.compile(r"[^a-z0-9]+")
_CREDIT_TOKEN = re.compile(r"(?:credit|caption)s?$")  # photocredit, wp-caption, credits
_CAPTION_TOKEN = re.compile(r"captions?$")
_IMAGE_TOKENS = {
    *("photo", "photos", "image", "images", "img", "picture", "pic", "pics", "figure"),
    *("thumbnail", "thumb", "illustration", "gallery"),
}
_MEDIA_TOKENS = _IMAGE_TOKENS | {"media", "video"}  # `media` alone is Bootstrap's layout box
_CONTAINERS = {"html", "body", "main", "article", "section", "header", "footer", "nav", "aside"}
_INLINE = {"a", "b", "i", "em", "strong", "img", "time", "abbr"}  # judged as part of their block
_CREDIT_MAX_CHARS = 300  # a larger element is a container, not a credit
_INVISIBLE = ("script", "style", "noscript", "template")
_QUOTED = ("pre", "code")  # code samples quote licence files; they state nothing about the page
_META_NAMES = {
    "dc.rights",
    "dcterms.rights",
    "dc.license",
    "dcterms.license",
    "dc.rights.license",
    "copyright",
    "license",
    "rights",
}
_HOLDER_META = {"copyright", "dc.rights", "dcterms.rights", "rights"}  # a name here is a holder
_URLISH = re.compile(r"https?://|www\.|/", re.I)
_MEDIA_TYPES = {"imageobject", "videoobject", "mediaobject", "audioobject", "photograph"}
_SENTENCES = re.compile(r"[^。！？!?\n]+(?:[。！？!?]|\.(?=\s|$)|$)", re.M)
_BLOCKS = {
    "p",
    "div",
    "li",
    "br",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "footer",
    "header",
    "section",
    "article",
    "aside",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "figure",
    "small",
}
_CLAUSES = re.compile(r"[;；]")
_SPACES = re.compile(r"\s+")
_MAX_EVIDENCE = 600


@dataclass(frozen=True)
class Evidence:
    licence: str  # SPDX id or `proprietary`
    source: str  # where it was read: "rel=license", "json-ld", "text", ...
    detail: str
    strength: int

    def describe(self) -> str:
        return f"{self.licence} <- {self.source}: {self.detail[:120]}"


@dataclass
class Finding:
    licence: str = rules.UNKNOWN
    evidence: list[Evidence] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    tdm_opt_out: bool = False
    tdm_evidence: list[str] = field(default_factory=list)

    def add(self, licence: str, source: str, detail: str, strength: int) -> None:
        self.evidence.append(Evidence(licence, source, detail.strip(), strength))

    def decide(self) -> Finding:
        if self.evidence:
            best = max(self.evidence, key=lambda e: e.strength)  # first of the strongest wins
            self.licence = best.licence
            self.evidence.remove(best)
            self.evidence.insert(0, best)
        return self

    def evidence_text(self) -> str:
        parts = [e.describe() for e in self.evidence]
        parts += [f"ignored {i}" for i in self.ignored]
        parts += [f"tdm opt-out <- {t}" for t in self.tdm_evidence]
        return " | ".join(parts)[:_MAX_EVIDENCE] if parts else ""


# -- HTTP headers ------------------------------------------------------------------------------

_LINK_LICENSE = re.compile(r"<([^>]+)>\s*;[^,]*rel\s*=\s*\"?(?:license|copyright)\"?", re.I)


def read_headers(headers: dict[str, str], finding: Finding) -> None:
    if headers.get("tdm-reservation", "").strip() == "1":
        finding.tdm_opt_out = True
        finding.tdm_evidence.append("header tdm-reservation: 1")
    crawled = headers.get(OPT_OUT_HEADER, "").strip()
    if crawled:  # what the crawler saw: robots.txt AI rules, tdmrep.json, noai (classifiers/optout.py)
        finding.tdm_opt_out = True
        finding.tdm_evidence.append(f"crawl {OPT_OUT_HEADER}: {crawled}")
    robots = headers.get("x-robots-tag", "")
    if _noai(robots):
        finding.tdm_opt_out = True
        finding.tdm_evidence.append(f"header x-robots-tag: {robots}")
    for url in _LINK_LICENSE.findall(headers.get("link", "")):
        spdx = rules.spdx_from_url(url)
        if spdx:
            finding.add(spdx, "header link rel=license", url, STRUCTURED)
        else:
            finding.ignored.append(f"header link rel=license to a non-licence: {url}")


def _noai(value: str) -> bool:
    return "noai" in {v.strip().lower() for v in re.split(r"[,\s]+", value)}


# -- HTML --------------------------------------------------------------------------------------


def read_html(html: str, finding: Finding) -> str:
    """Collect evidence from a page; returns its visible text outside media credits."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    _read_meta(tree, finding)
    _read_json_ld(tree, finding)
    _drop(tree, _INVISIBLE, finding, None)
    credits = {el for el in tree.iter(etree.Element) if _is_credit(el)}
    _read_links(tree, finding, credits)
    for el in credits:
        if not any(a in credits for a in el.iterancestors()):
            found = rules.spdx_from_text(el.text_content()) or _first_link_licence(el)
            if found:
                finding.ignored.append(f"{found[0]} in a media credit <{el.tag}>: {found[1][:80]}")
            el.drop_tree()
    _drop(tree, _QUOTED, finding, "a code block")
    _read_trafilatura(tree, finding)
    for el in tree.iter(etree.Element):  # a line break in the source is a space; blocks end sentences
        if el.text:
            el.text = _SPACES.sub(" ", el.text)
        if el.tail:
            el.tail = _SPACES.sub(" ", el.tail)
        if el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    return tree.text_content()


def _drop(tree, tags: tuple[str, ...], finding: Finding, what: str | None) -> None:
    """Remove elements `tags` (outermost first), noting a rights statement found in `what`."""
    for el in list(tree.iter(*tags)):
        if el.getparent() is None or any(a.tag in tags for a in el.iterancestors()):
            continue
        text = el.text_content()
        if what and rules.may_state_licence(text):
            found = rules.spdx_from_text(text) or (
                (rules.PROPRIETARY, rules.copyright_notice(text)) if rules.copyright_notice(text) else None
            )
            if found:
                finding.ignored.append(f"{found[0]} in {what}: {found[1][:80]}")
        el.drop_tree()


def _read_meta(tree, finding: Finding) -> None:
    for meta in tree.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        if name == "tdm-reservation" and content == "1":
            finding.tdm_opt_out = True
            finding.tdm_evidence.append("meta tdm-reservation=1")
        elif name in ("robots", "x-robots-tag") and _noai(content):
            finding.tdm_opt_out = True
            finding.tdm_evidence.append(f"meta {name}={content}")
        elif name in _META_NAMES:
            found = rules.licence_of_value(content)
            if found:
                finding.add(found[0], f"meta {name}", found[1], STRUCTURED)
            elif rules.copyright_notice(content):
                finding.add(rules.PROPRIETARY, f"meta {name} (copyright notice)", content, NOTICE)
            elif name in _HOLDER_META and not _URLISH.search(content):
                finding.add(rules.PROPRIETARY, f"meta {name} (copyright holder)", content, NOTICE)


def _read_json_ld(tree, finding: Finding) -> None:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for node in _json_ld_nodes(data):
            kind = str(node.get("@type", "")).lower()
            for value in _json_ld_strings(node.get("license") or node.get("copyrightNotice")):
                found = rules.licence_of_value(value)
                if not found:
                    continue
                if kind in _MEDIA_TYPES:
                    finding.ignored.append(f"{found[0]} of a JSON-LD {node.get('@type')}: {value[:80]}")
                else:
                    finding.add(found[0], "json-ld license", value, STRUCTURED)


def _json_ld_strings(value) -> list[str]:
    """A JSON-LD licence value as strings: a URL or text, a CreativeWork's url/@id/name, a list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [v for v in (value.get("url"), value.get("@id"), value.get("name")) if isinstance(v, str)]
    if isinstance(value, list):
        return [s for item in value for s in _json_ld_strings(item)]
    return []


def _json_ld_nodes(data):
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_nodes(item)
    elif isinstance(data, dict):
        yield data
        yield from _json_ld_nodes(data.get("@graph", []))


def _read_links(tree, finding: Finding, credits: set) -> None:
    """rel=license links and badges; a plain link to a licence counts where its sentence
    grants it ("licensed under <a>CC BY</a>"), not where it only names it."""
    for el in tree.iter("a", "link", "img"):
        url = el.get("src") if el.tag == "img" else el.get("href")
        if not url:
            continue
        rel = (el.get("rel") or "").lower().split()
        spdx = rules.spdx_from_url(url)
        if el in credits or any(a in credits for a in el.iterancestors()):
            if spdx:
                finding.ignored.append(f"{spdx} link in a media credit: {url}")
            continue
        kind = next((r for r in ("license", "copyright") if r in rel), None)
        if kind:
            if spdx:
                finding.add(spdx, f"rel={kind} <{el.tag}>", url, STRUCTURED)
            else:
                finding.ignored.append(f"rel={kind} to a non-licence: {url[:100]}")
        elif spdx and el.tag == "img":
            finding.add(spdx, "cc badge", url, PAGE_LINK)
        elif spdx and el.tag == "a":
            sentence = _sentence_of(el)
            granted = rules.grants_licence(sentence) and not rules.about_media(sentence)
            if granted or not el.text_content().strip():
                finding.add(spdx, "licence link", url, PAGE_LINK)
            else:
                finding.ignored.append(f"{spdx} link named in running text: {sentence[:80]}")


def _sentence_of(link) -> str:
    """The sentence around `link` in its nearest block element."""
    block = next((a for a in link.iterancestors() if a.tag in _BLOCKS), None)
    text = " ".join((block if block is not None else link).text_content().split())
    anchor = " ".join(link.text_content().split())
    at = text.find(anchor)
    for match in _SENTENCES.finditer(text):
        if match.start() <= at < match.end():
            return match.group(0).strip()
    return text[:300]


def _read_trafilatura(tree, finding: Finding) -> None:
    """trafilatura's licence metadata (rel=license link text, CC links in footers)."""
    value = extract_license(tree)
    found = rules.licence_of_value(value) if value else None
    if found and found[0] != rules.PROPRIETARY:
        finding.add(found[0], "trafilatura license", value, PAGE_LINK)


def _first_link_licence(el) -> tuple[str, str] | None:
    for link in el.iter("a", "img"):
        url = link.get("href") or link.get("src") or ""
        spdx = rules.spdx_from_url(url)
        if spdx:
            return spdx, url
    return None


def _is_credit(el) -> bool:
    """An image or media credit: a figcaption or picture, a figure holding an image, or a
    small element (never a page container, never a line about the page) that starts like a
    credit, holds a licence or © and sits at an image, or whose own class/id words say caption,
    photo credit (`photo-credit`, `imagecredit`), credit for an image (`credit` around
    "Image: ..."), or image around an image. Licence badges are no images here."""
    tag = el.tag
    if not isinstance(tag, str):
        return False
    if tag in _CREDIT_TAGS:
        return True
    if tag == "figure":
        return _holds_media(el)
    if tag in _CONTAINERS or tag in _INLINE:
        return False
    text = el.text_content()
    if len(text) > _CREDIT_MAX_CHARS:
        return False
    return _credit_shape(el, text) and not rules.about_page(text)


def _credit_shape(el, text: str) -> bool:
    """Whether a short element looks like a credit (before asking whether it speaks of the page)."""
    if (rules.CREDIT_LABEL.match(text) or _attached_credit(el, text)) and _is_line(el):
        return True
    tokens = set(_CLASS_SPLIT.split(f"{el.get('class') or ''} {el.get('id') or ''}".lower())) - {""}
    credit = any(_CREDIT_TOKEN.search(t) for t in tokens)
    image = bool(tokens & _IMAGE_TOKENS)
    if not (credit or image):
        return False
    if any(_CAPTION_TOKEN.search(t) for t in tokens) or (credit and tokens & _MEDIA_TOKENS):
        return True
    if credit:
        return bool(rules.MEDIA_WORDS.search(text))
    return _holds_media(el)


def _is_line(el) -> bool:
    """Whether `el` is one line of text: no block element inside it (a <br> aside)."""
    return not any(d.tag in _BLOCKS and d.tag != "br" for d in el.iterdescendants() if isinstance(d.tag, str))


def _attached_credit(el, text: str) -> bool:
    """A short line naming a licence or a © with no licensing words of its own ("CC BY 2.0
    Ann Example", "© dpa"), or one about media, right after an image or holding one."""
    named = rules.may_state_licence(text) and (rules.spdx_from_text(text) or rules.copyright_notice(text))
    if not (named or _first_link_licence(el)):
        return False
    if rules.grants_with_words(text) and not rules.MEDIA_WORDS.search(text):
        return False
    if _holds_media(el):
        return True
    before = el.getprevious()
    while before is not None and not isinstance(before.tag, str):  # comments
        before = before.getprevious()
    return before is not None and (
        before.tag in _MEDIA_TAGS or (_holds_media(before) and not before.text_content().strip())
    )


def _holds_media(el) -> bool:
    """Whether `el` is or holds an image, video or frame other than a licence badge."""
    return any(not rules.spdx_from_url(m.get("src") or "") for m in el.iter(*_MEDIA_TAGS))


# -- text --------------------------------------------------------------------------------------


def read_text(text: str, finding: Finding) -> None:
    """CC sentences and rights statements; a CC sentence about a photo is an image credit."""
    if not rules.may_state_licence(text):
        return
    for match in _SENTENCES.finditer(text):
        sentence = match.group(0).strip()
        if not sentence or not rules.may_state_licence(sentence):
            continue
        found = rules.spdx_from_text(sentence)
        if found:
            clause = _clause(sentence, found[1])
            if rules.about_media(clause):
                finding.ignored.append(f"{found[0]} in a media credit sentence: {sentence[:80]}")
            elif not rules.grants_licence(clause):
                finding.ignored.append(f"{found[0]} named, not granted: {sentence[:80]}")
            else:
                finding.add(found[0], "text", found[1], TEXT_LICENCE)
        statement = rules.proprietary_statement(sentence)
        if statement:
            finding.add(rules.PROPRIETARY, f"text ({statement[0]})", statement[1], TEXT_RESERVED)
        elif rules.copyright_notice(sentence):
            finding.add(rules.PROPRIETARY, "text (copyright notice)", sentence[:80], NOTICE)


def _clause(sentence: str, words: str) -> str:
    """The clause of `sentence` (cut at semicolons) holding `words`."""
    at = sentence.find(words)
    start = 0
    for part in _CLAUSES.split(sentence):
        if start <= at < start + len(part) + 1:
            return part
        start += len(part) + 1
    return sentence


# -- PDF ---------------------------------------------------------------------------------------

_XMP = re.compile(rb"<x:xmpmeta.*?</x:xmpmeta>", re.S)
_XMP_FIELDS = re.compile(
    r"<(cc:license|xmpRights:WebStatement|xmpRights:UsageTerms|dc:rights)\b([^>]*)>(.*?)</\1>|"
    r"<cc:license\b[^>]*rdf:resource=\"([^\"]+)\"",
    re.S,
)
_XMP_ATTR = re.compile(r"(xmpRights:WebStatement|cc:license)=\"([^\"]+)\"")
_PDF_RIGHTS = re.compile(rb"/Rights\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)")
_FLATE_STREAM = re.compile(rb"/FlateDecode[^>]*>>\s*stream\r?\n(.*?)endstream", re.S)
_MAX_STREAMS = 64


def read_pdf(raw: bytes, finding: Finding) -> None:
    """XMP packet (plain or in a Flate stream) and the Info dictionary's /Rights."""
    packets = _XMP.findall(raw)
    if not packets and b"/Metadata" in raw:
        packets = _XMP.findall(b"".join(_inflated_streams(raw)))
    for packet in packets:
        xml = packet.decode("utf-8", "replace")
        values = [m.group(2) for m in _XMP_ATTR.finditer(xml)]
        for m in _XMP_FIELDS.finditer(xml):
            values.append(m.group(4) or re.sub(r"<[^>]+>", " ", m.group(3) or ""))
        for value in values:
            found = rules.licence_of_value(" ".join(value.split()))
            if found:
                finding.add(found[0], "pdf xmp", found[1], STRUCTURED)
    for match in _PDF_RIGHTS.finditer(raw):
        value = _pdf_string(match.group(1))
        found = rules.licence_of_value(value)
        if found:
            finding.add(found[0], "pdf /Rights", found[1], STRUCTURED)
        elif rules.copyright_notice(value):
            finding.add(rules.PROPRIETARY, "pdf /Rights (copyright notice)", value, NOTICE)


def _inflated_streams(raw: bytes):
    for i, match in enumerate(_FLATE_STREAM.finditer(raw)):
        if i >= _MAX_STREAMS:
            return
        try:
            yield zlib.decompressobj().decompress(match.group(1), 1 << 22)
        except zlib.error:
            continue


def _pdf_string(token: bytes) -> str:
    if token.startswith(b"<"):
        data = bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode("ascii"))
        if data.startswith(b"\xfe\xff"):
            return data[2:].decode("utf-16-be", "replace")
        return data.decode("latin-1")
    body = re.sub(rb"\\([()\\])", rb"\1", token[1:-1])
    if body.startswith(b"\xfe\xff"):
        return body[2:].decode("utf-16-be", "replace")
    return body.decode("utf-8", "replace")


def detect(
    *,
    text: str | None,
    html: str | None = None,
    pdf: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Finding:
    """The licence of one document from whatever of its parts are available."""
    finding = Finding()
    read_headers(headers or {}, finding)
    page_text = read_html(html, finding) if html else ""
    if pdf:
        read_pdf(pdf, finding)
    read_text(page_text or text or "", finding)
    return finding.decide()
