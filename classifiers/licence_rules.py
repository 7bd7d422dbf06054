"""Licence vocabulary: licence URLs and sentences (English, Chinese) to SPDX ids, and the
statements that make a text `proprietary`."""

from __future__ import annotations

import re

PROPRIETARY = "proprietary"
UNKNOWN = "unknown"

_CC_URL = re.compile(
    r"creativecommons\.org/(?:licenses|licences)/([a-z-]+)/(\d\.\d)|"
    r"creativecommons\.org/publicdomain/zero/1\.0|"
    r"(?:i\.creativecommons\.org|licensebuttons\.net)/(?:l/([a-z-]+)/(\d\.\d)|p/zero/1\.0)",
    re.I,
)
_OTHER_URLS = (
    (re.compile(r"opensource\.org/licenses?/MIT|spdx\.org/licenses/MIT(?:\.html)?$", re.I), "MIT"),
    (re.compile(r"apache\.org/licenses/LICENSE-2\.0", re.I), "Apache-2.0"),
    (re.compile(r"gnu\.org/licenses/fdl-1\.3|gnu\.org/copyleft/fdl", re.I), "GFDL-1.3-or-later"),
    (re.compile(r"opendatacommons\.org/licenses/by/", re.I), "ODC-By-1.0"),
    (re.compile(r"opendatacommons\.org/licenses/pddl/", re.I), "PDDL-1.0"),
    (re.compile(r"opendatacommons\.org/licenses/odbl/", re.I), "ODbL-1.0"),
)
_CC_PARTS = ("by", "by-sa", "by-nd", "by-nc", "by-nc-sa", "by-nc-nd")

# "Creative Commons Attribution-ShareAlike 4.0", "CC BY-NC 4.0", "知识共享署名-相同方式共享 4.0"
_CC_TEXT = re.compile(
    r"(creative\s*commons|知识共享|創用CC|创作共用|\bCC)[\s:：-]*"
    r"((?:(?:attribution|by|署名|姓名标示|non-?commercial|nc|非商业性使用|非商业|share-?alike|sa|"
    r"相同方式共享|no-?deriv(?:ative)?s?|nd|禁止演绎|禁止改作)[\s/-]*)+)"
    r"(?:[^\d\n]{0,24}?(\d\.\d))?",
    re.I,
)
_CC0_TEXT = re.compile(r"\bCC0\b|CC\s*Zero|public\s+domain\s+dedication|公共领域贡献", re.I)
_PART_WORDS = (
    ("nc", re.compile(r"non-?commercial|\bnc\b|非商业", re.I)),
    ("sa", re.compile(r"share-?alike|\bsa\b|相同方式共享", re.I)),
    ("nd", re.compile(r"no-?deriv|\bnd\b|禁止演绎|禁止改作", re.I)),
)
_BY_WORD = re.compile(r"attribution|\bby\b|署名|姓名标示", re.I)
DEFAULT_CC_VERSION = "4.0"

# statements that keep all rights (English, Chinese); each maps to a short rule name
_PROPRIETARY_TEXT = (
    ("all_rights_reserved", re.compile(r"all\s+rights\s+reserved", re.I)),
    ("no_reproduction", re.compile(r"may\s+not\s+be\s+(?:reproduced|republished|reprinted)", re.I)),
    ("no_reproduction", re.compile(r"no\s+part\s+of\s+this\s+\w+\s+may\s+be\s+reproduced", re.I)),
    ("zh_copyright_reserved", re.compile(r"版权所有|保留所有权利|著作权归.{0,12}所有")),
    (
        "zh_no_reprint",
        re.compile(
            r"未经.{0,12}(?:许可|授权|同意|允许).{0,12}(?:不得|禁止|严禁|请勿).{0,6}(?:转载|复制|使用)"
        ),
    ),
    ("zh_no_reprint", re.compile(r"(?:禁止|严禁|谢绝)(?:任何)?(?:形式的)?转载")),
    ("zh_reprint_with_credit", re.compile(r"转载请(?:注明|标明|保留)(?:出处|来源|作者)|转载须注明")),
    ("zh_wechat_article", re.compile(r"本文(?:来自|转载自|来源于|原载于)(?:微信)?公众号")),
    ("zh_commercial_reprint_ask", re.compile(r"商业转载请联系")),
)
# lower-case words at least one of which every statement above contains (a cheap pre-check)
_TRIGGER_WORDS = (
    "creative",
    "commons",
    "知识共享",
    "創用",
    "创作共用",
    "cc",
    "public",
    "公共领域",
    "rights",
    "reproduc",
    "republish",
    "reprint",
    "版权",
    "权利",
    "著作权",
    "转载",
    "公众号",
    "©",
    "(c)",
    "copyright",
)


def may_state_licence(text: str) -> bool:
    """False when `text` cannot contain any licence or rights statement."""
    lower = text.lower()
    return any(word in lower for word in _TRIGGER_WORDS)


_COPYRIGHT_NOTICE = re.compile(r"(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:19|20)\d\d", re.I)
# a licence mention inside an image or media credit is about that image, not the page
MEDIA_WORDS = re.compile(
    r"\b(?:photo|photograph|image|picture|illustration|graphic|video|icon|logo|credit)s?\b|"
    r"图片|照片|图像|配图|摄影|图源|题图|视频",
    re.I,
)


def _cc_id(parts: str, version: str | None) -> str | None:
    parts = parts.lower().strip("-")
    if parts == "zero":
        return "CC0-1.0"
    if parts not in _CC_PARTS:
        return None
    return f"CC-{parts.upper()}-{version or DEFAULT_CC_VERSION}"


def spdx_from_url(url: str) -> str | None:
    """SPDX id of a licence URL (Creative Commons, badges, a few others), else None."""
    match = _CC_URL.search(url)
    if match:
        if match.group(1):
            return _cc_id(match.group(1), match.group(2))
        if match.group(3):
            return _cc_id(match.group(3), match.group(4))
        return "CC0-1.0"
    for pattern, spdx in _OTHER_URLS:
        if pattern.search(url):
            return spdx
    return None


def spdx_from_text(text: str) -> tuple[str, str] | None:
    """(SPDX id, matched words) of the first Creative Commons statement in `text`, else None."""
    match = _CC0_TEXT.search(text)
    if match:
        return "CC0-1.0", match.group(0)
    for match in _CC_TEXT.finditer(text):
        words = match.group(2)
        if not _BY_WORD.search(words):
            continue
        parts = "by" + "".join(f"-{code}" for code, rx in _PART_WORDS if rx.search(words))
        spdx = _cc_id(parts, match.group(3))
        if spdx:
            return spdx, match.group(0).strip()
    return None


def proprietary_statement(text: str) -> tuple[str, str] | None:
    """(rule name, matched words) of a statement reserving rights, else None."""
    for rule, pattern in _PROPRIETARY_TEXT:
        match = pattern.search(text)
        if match:
            return rule, match.group(0)
    return None


def copyright_notice(text: str) -> str | None:
    """A bare copyright notice ("© 2024 ..."): rights reserved by default, weak evidence."""
    match = _COPYRIGHT_NOTICE.search(text)
    return match.group(0) if match else None


def licence_of_value(value: str) -> tuple[str, str] | None:
    """Licence named by a metadata value (URL, CC words or a rights statement)."""
    spdx = spdx_from_url(value)
    if spdx:
        return spdx, value
    found = spdx_from_text(value)
    if found:
        return found
    spdx = _spdx_id(value)
    if spdx:
        return spdx, value
    statement = proprietary_statement(value)
    if statement:
        return PROPRIETARY, statement[1]
    return None


_SPDX_IDS = {
    i.upper(): i
    for i in (
        "CC0-1.0",
        "MIT",
        "Apache-2.0",
        "GFDL-1.3-or-later",
        "GFDL-1.3-only",
        "ODC-By-1.0",
        "ODbL-1.0",
        "PDDL-1.0",
    )
}
_CC_ID = re.compile(r"^CC-BY(?:-NC)?(?:-SA|-ND)?-\d\.\d$")


def _spdx_id(value: str) -> str | None:
    """`value` if it is one of the SPDX ids we map to (any case), canonical spelling."""
    key = value.strip().upper()
    if _CC_ID.match(key):
        return key
    return _SPDX_IDS.get(key)
