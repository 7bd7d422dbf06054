"""Licence vocabulary: licence URLs and sentences to SPDX ids, and the statements that make a
text `proprietary`, in English, Chinese, German, French, Spanish, Italian, Portuguese,
Japanese, Korean and Russian."""

from __future__ import annotations

import re

from datamill.classifiers import scripts

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

# "Creative Commons Attribution-ShareAlike 4.0", "CC BY-NC 4.0", "知识共享署名-相同方式共享 4.0",
# "創用 CC 姓名標示-相同方式分享", "クリエイティブ・コモンズ 表示 - 継承",
# "크리에이티브 커먼즈 저작자표시-비영리"
_CC_TEXT = re.compile(
    r"(creative\s*commons|知识共享|創用\s*CC|创作共用|クリエイティブ・?コモンズ|크리에이티브\s*커먼즈|\bCC)[\s:：-]*"
    r"((?:(?:attribution|by|署名|姓名[标標]示|表示|저작자\s*표시|non-?commercial|nc|非商业性使用|非商业|非商業性?|"
    r"非営利|비영리|share-?alike|sa|相同方式(?:共享|分享)|継承|동일\s*조건\s*변경\s*허락|"
    r"no-?deriv(?:ative)?s?|nd|禁止演绎|禁止改作|改変禁止|변경\s*금지|"
    r"namensnennung|nicht[\s-]*kommerziell|weitergabe\s+unter\s+gleichen\s+bedingungen|keine\s+bearbeitungen?|"
    r"pas\s+d['’]utilisation\s+commerciale|partage\s+dans\s+les\s+m[êe]mes\s+conditions|pas\s+de\s+modification|"
    r"reconocimiento|atribuci[óo]n|no\s*comercial|compartir\s*igual|sin\s*obras?\s*derivadas?|"
    r"attribuzione|non\s*commerciale|condividi\s+allo\s+stesso\s+modo|non\s+opere\s+derivate|"
    r"atribui[çc][ãa]o|n[ãa]o\s*comercial|compartilha\s*igual|sem\s*deriva[çc][õo]es|"
    r"атрибуция|с\s+указанием\s+авторства|некоммерческ\w*|с\s+сохранением\s+условий|без\s+производных)"
    r"[\s/\-・–—]*)+)"
    r"(?:[^\d\n]{0,24}?(\d\.\d))?",
    re.I,
)
_CC0_TEXT = re.compile(r"\bCC0\b|CC\s*Zero|public\s+domain\s+dedication|公共领域贡献", re.I)
_PART_WORDS = (
    (
        "nc",
        re.compile(
            r"non-?commercial|\bnc\b|非商业|非商業|非営利|비영리|kommerziell|commerciale?|comercial|некоммерческ",
            re.I,
        ),
    ),
    (
        "sa",
        re.compile(
            r"share-?alike|\bsa\b|相同方式|継承|동일\s*조건|gleichen\s+bedingungen|m[êe]mes\s+conditions|"
            r"compartir\s*igual|stesso\s+modo|compartilha\s*igual|сохранением\s+условий",
            re.I,
        ),
    ),
    (
        "nd",
        re.compile(
            r"no-?deriv|\bnd\b|禁止演绎|禁止改作|改変禁止|변경\s*금지|bearbeitung|modification|derivad|derivate|"
            r"deriva[çc]|производных",
            re.I,
        ),
    ),
)
_BY_WORD = re.compile(
    r"attribution|\bby\b|署名|姓名[标標]示|表示|저작자\s*표시|namensnennung|reconocimiento|atribuci[óo]n|"
    r"attribuzione|atribui[çc][ãa]o|атрибуция|указанием\s+авторства",
    re.I,
)
DEFAULT_CC_VERSION = "4.0"

# statements that keep all rights (English, Chinese, Japanese, Korean); each maps to a short
# rule name
_PROPRIETARY_TEXT = (
    ("all_rights_reserved", re.compile(r"all\s+rights\s+reserved", re.I)),
    ("no_reproduction", re.compile(r"may\s+not\s+be\s+(?:reproduced|republished|reprinted)", re.I)),
    ("no_reproduction", re.compile(r"no\s+part\s+of\s+this\s+\w+\s+may\s+be\s+reproduced", re.I)),
    (
        "zh_copyright_reserved",
        re.compile(r"版[权權]所有|保留(?:所有|一切)[权權]利|著作[权權][归歸].{0,12}所有"),
    ),
    (
        "zh_no_reprint",
        re.compile(
            r"未[经經].{0,12}(?:许可|許可|授权|授權|同意|允许|允許).{0,12}(?:不得|禁止|严禁|嚴禁|请勿|請勿).{0,6}"
            r"(?:转载|轉載|复制|複製|使用)"
        ),
    ),
    ("zh_no_reprint", re.compile(r"(?:禁止|严禁|嚴禁|谢绝|謝絕)(?:任何)?(?:形式的)?(?:转载|轉載)")),
    (
        "zh_reprint_with_credit",
        re.compile(
            r"(?:转载|轉載)(?:请|請)(?:注明|註明|标明|標明|保留)(?:出处|出處|来源|來源|作者)|转载须注明"
        ),
    ),
    ("zh_wechat_article", re.compile(r"本文(?:来自|转载自|来源于|原载于)(?:微信)?公众号")),
    ("zh_commercial_reprint_ask", re.compile(r"商业转载请联系")),
    ("ja_no_reprint", re.compile(r"無断(?:で)?(?:転載|複製|転用|使用)|(?:転載|複製)を禁")),
    ("ja_copyright_holder", re.compile(r"著作権は.{0,20}(?:帰属|に属)")),
    ("ko_no_reprint", re.compile(r"무단\s*(?:전재|복제|배포|재배포)|재배포\s*금지")),
    ("de_rights_reserved", re.compile(r"alle\s+rechte\s+vorbehalten", re.I)),
    (
        "de_no_reprint",
        re.compile(
            r"(?:nachdruck|vervielf[äa]ltigung|weiterverwendung)\b.{0,60}?(?:nur\s+mit|ohne)\s+(?:\w+\s+){0,3}"
            r"(?:genehmigung|zustimmung|erlaubnis)|(?:nachdruck|vervielf[äa]ltigung)\s+(?:\w+\s+){0,2}"
            r"(?:verboten|untersagt)",
            re.I,
        ),
    ),
    ("fr_rights_reserved", re.compile(r"tous\s+droits\s+(?:de\s+reproduction\s+)?r[ée]serv[ée]s", re.I)),
    ("fr_no_reproduction", re.compile(r"reproduction\s+(?:\w+\s+){0,4}interdite", re.I)),
    ("es_rights_reserved", re.compile(r"todos\s+los\s+derechos\s+reservados", re.I)),
    ("es_no_reproduction", re.compile(r"prohibida\s+(?:\w+\s+){0,2}reproducci[óo]n", re.I)),
    (
        "it_rights_reserved",
        re.compile(r"tutti\s+i\s+diritti\s+(?:sono\s+)?riservati|riproduzione\s+riservata", re.I),
    ),
    ("it_no_reproduction", re.compile(r"vietata\s+(?:\w+\s+){0,2}riproduzione", re.I)),
    ("pt_rights_reserved", re.compile(r"todos\s+os\s+direitos\s+reservados", re.I)),
    ("pt_no_reproduction", re.compile(r"proibida\s+(?:\w+\s+){0,2}reprodu[çc][ãa]o", re.I)),
    ("ru_rights_reserved", re.compile(r"все\s+права\s+(?:защищены|охраняются|сохранены)", re.I)),
    (
        "ru_no_reprint",
        re.compile(
            r"(?:копирование|перепечатка|воспроизведение)\b.{0,60}?"
            r"(?:запрещено|запрещена|запрещается|без\s+(?:\w+\s+)?разрешения)",
            re.I,
        ),
    ),
)
# lower-case words at least one of which every statement above contains (a cheap pre-check)
_TRIGGER_WORDS = (
    "creative",
    "commons",
    "知识共享",
    "創用",
    "创作共用",
    "クリエイティブ",
    "크리에이티브",
    "cc",
    "public",
    "公共领域",
    "rights",
    "reproduc",
    "republish",
    "reprint",
    "版权",
    "版權",
    "权利",
    "權利",
    "著作权",
    "著作權",
    "著作権",
    "转载",
    "轉載",
    "公众号",
    "無断",
    "転載を",
    "複製を",
    "무단",
    "재배포",
    "©",
    "ⓒ",
    "(c)",
    "copyright",
    "rechte",
    "nachdruck",
    "vervielf",
    "droits",
    "reproduc",
    "derechos",
    "diritti",
    "riproduzione",
    "direitos",
    "reprodução",
    "права",
    "копирован",
    "перепечат",
    "воспроизвед",
)


_TRIGGER = re.compile("|".join(re.escape(word) for word in _TRIGGER_WORDS))


def may_state_licence(text: str) -> bool:
    """False when `text` cannot contain any licence or rights statement."""
    return _TRIGGER.search(text.lower()) is not None


# "© 2024", "Copyright 2019-2024", or a © sign before a holder's name ("© Éditions du Port",
# "Copyright ⓒ 항구일보"); the word "copyright" alone before a name is prose ("copyright law")
_COPYRIGHT_NOTICE = re.compile(
    r"(?:[©ⓒ]|\(c\)|copyright|저작권자)\s*(?:[©ⓒ]\s*)?(?:19|20)\d\d|"
    r"(?:(?:copyright|저작권자)\s*)?[©ⓒ]\s*[^\W\d_]\S*",
    re.I,
)
# a licence mention inside an image or media credit is about that image, not the page
MEDIA_WORDS = re.compile(
    r"\b(?:photo|photograph|image|picture|illustration|graphic|video|icon|logo|credit)s?\b|"
    r"\b(?:fotos?|bild|bilder|abbildung|grafik|fotografie|imagen|im[áa]genes|immagin[ei]|imagem|imagens|"
    r"v[íi]deo|фото\w*|изображени\w*|иллюстраци\w*|видео)\b|"
    r"图片|照片|图像|配图|摄影|图源|题图|视频|圖片|照片|攝影|影片|写真|画像|動画|사진|이미지|영상",
    re.I,
)
# words saying a licence is granted ("licensed under", "采用 ... 许可", "ライセンスの下", "따라
# 이용"): a sentence that only names a licence ("CC BY forbids nothing") grants none
_LICENSING = re.compile(
    r"licen[cs]ed|(?:available|released|distributed|published|shared|offered|provided|made)\s+"
    r"(?:\w+\s+)?under|under\s+(?:a|the)\s+(?:\w+\s+){0,3}licen|terms\s+of\s+the|some\s+rights\s+reserved|"
    r"otherwise\s+noted|waived|dedicat|you\s+are\s+free|"
    r"采用|採用|遵循|遵守|基于|基於|依据|依照|按照|授权|授權|进行许可|進行許可|发布|發布|"
    r"ライセンス(?:の下|で|に従|により)|提供されて|公開されて|許諾|"
    r"따라|이용할\s*수|허락|배포됩니다|제공됩니다|"
    r"lizenziert|(?:steh(?:t|en)|verf[üu]gbar|ver[öo]ffentlicht)\s+unter|unter\s+(?:der|einer)\s+(?:\S+\s+){0,3}lizenz|"
    r"einige\s+rechte\s+vorbehalten|"
    r"sous\s+(?:la\s+|une\s+)?licence|mis\s+[àa]\s+disposition|selon\s+les\s+termes|"
    r"(?:publi|distribu|diffus)[ée]e?s?\s+sous|quelques\s+droits\s+r[ée]serv|"
    r"bajo\s+(?:una\s+|la\s+)?(?:\S+\s+)?licencia|est[áa]\s+bajo|(?:disponible|publicad[oa]s?)\s+bajo|"
    r"licenciad[oa]s?|algunos\s+derechos\s+reservados|"
    r"(?:distribuit|rilasciat|pubblicat|disponibil)[oaie]\s+(?:con|sotto)|sotto\s+(?:la\s+|una\s+)?licenza|"
    r"con\s+licenza|alcuni\s+diritti\s+riservati|"
    r"sob\s+(?:a\s+|uma\s+)?licen[çc]a|dispon[íi]ve(?:l|is)\s+sob|alguns\s+direitos\s+reservados|"
    r"по\s+лицензии|под\s+лицензией|на\s+условиях|распространя\w+\s+(?:по|под|на)|некоторые\s+права\s+защищены",
    re.I,
)
# words that make a licence sentence about the page even when it names photos too
_PAGE_SCOPE = re.compile(
    r"\bthis\s+(?:blog|site|website|page|post|article|work|book|document|course)\b|"
    r"\b(?:all|the)\s+(?:content|text|posts|articles)\b|\btext\b|"
    r"本站|本博客|本作品|所有文章|全部文章|本文(?!图|圖|配图|插图|照片|视频)|"
    r"\bdiese[rsnm]?\s+(?:seite|website|webseite|blogs?|artikels?|beitrags?|werks?)\b|\binhalte?\b|\btexte\b|"
    r"\bce\s+(?:site|blog|document)\b|\bcet(?:te)?\s+(?:article|[œo]euvre|page)\b|\ble\s+contenu\b|\btextes\b|"
    r"\best[ea]\s+(?:sitio|blog|art[íi]culo|obra|p[áa]gina|web|site|artigo|trabalho)\b|\b(?:el|o)\s+conte[nú]\w*|"
    r"\bquest[oa]\s+(?:sito|blog|articolo|pagina)\b|\bquest['’]opera\b|\bi\s+(?:contenuti|testi)\b|"
    r"\bcontenidos?\b|\bconte[úu]dos?\b|\btextos?\b|"
    r"материалы\s+сайта|\bэт(?:от|а|о)\s+(?:сайт|статья|произведение|текст)|\bсодержимое\b|\bтексты?\b|"
    r"このサイト|当サイト|本サイト|本ブログ|本記事|この記事|このページ|コンテンツ|"
    r"이\s*(?:글|저작물|사이트|기사)|본\s*(?:사이트|기사)|콘텐츠",
    re.I,
)
# how a credit line starts: "Photo:", "Foto di", "Bild:", "Crédit photo :", "Imagen:", "사진=",
# "写真：", "图片来源："
CREDIT_LABEL = re.compile(
    r"^\W{0,3}(?:(?:photos?|fotos?|bild(?:er)?|images?|imagen|immagine|imagem|pictures?|illustrations?|grafik|"
    r"abbildung|videos?|v[íi]deo|фото|изображение|иллюстрация|видео|credits?|cr[ée]dits?|cr[ée]dito)"
    r"(?:\s+(?:credits?|photo|foto|de|di|by|von|par|por))?\s*[:：=/|©]|"
    r"(?:photo|foto|image|imagen|bild|video|фото)\s+(?:by|di|de|von|par|por|:)\s|"
    r"(?:写真|画像|動画|사진|이미지|영상|图片|圖片|照片|摄影|攝影|图源|题图|配图|视频|影片)"
    r"(?:来源|來源|提供|来自|出典)?\s*[:：=/])",
    re.I,
)
_CJK_CHAR = re.compile(f"[{scripts.char_class(scripts.CJK)}]")
_LATIN_WORD = re.compile(r"[^\W\d_]+")
_NAME_WORDS = re.compile(
    r"licen[cs]es?|许可协议|许可|協議|协议|授權條款|ライセンス|라이선스|国际|國際|国際|국제|international|"
    r"lizenz|licencia|licenza|licen[çc]a|лицензи\w*|internacional|internazionale|всемирная",
    re.I,
)
MAX_BARE_WORDS = 3  # a sentence naming a licence with at most this many other words marks the page


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


def grants_licence(text: str) -> bool:
    """Whether `text` (a sentence or clause naming a licence) grants it: licensing words
    ("licensed under", "采用", "ライセンスの下"), or little besides the licence's name and a
    copyright notice ("© 2024 Jane · CC BY-SA 4.0"). A sentence that only talks about a
    licence ("The CC BY-NC licence forbids commercial use") grants nothing."""
    if _LICENSING.search(text):
        return True
    rest = _CC0_TEXT.sub(" ", _CC_TEXT.sub(" ", text))
    rest = _NAME_WORDS.sub(" ", _COPYRIGHT_NOTICE.sub(" ", rest))
    words = len(_LATIN_WORD.findall(_CJK_CHAR.sub(" ", rest))) + len(_CJK_CHAR.findall(rest)) / 2
    return words <= MAX_BARE_WORDS


def grants_with_words(text: str) -> bool:
    """Whether `text` holds licensing words ("licensed under", "lizenziert", "采用")."""
    return bool(_LICENSING.search(text))


def about_page(text: str) -> bool:
    """Whether `text` speaks of the page or site as a whole ("this site", "本站", "Inhalte")."""
    return bool(_PAGE_SCOPE.search(text))


def about_media(text: str) -> bool:
    """Whether a licence clause is about a photo or video (an image credit), not the page:
    it names media and nothing page-wide ("All photos and text on this blog ..." is the page)."""
    return bool(MEDIA_WORDS.search(text)) and not _PAGE_SCOPE.search(text)


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
