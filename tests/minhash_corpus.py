"""Generated Chinese, English and mixed zh/en web documents with planted near-duplicates, and a
truth that does not depend on the dedup stage's shingles.

For the dedup tests and benches. Each *family* is an original document plus variants made by
the edits a reader still calls copies: a sentence dropped or inserted, a few characters changed
(typos, digits), a boilerplate line added, punctuation switched between full and half width,
spaces inserted between CJK characters, paragraphs swapped, or two of these at once. *Hard
negatives* are different articles of one site sharing its header and footer. Words (English: the
most common words, then a Zipf tail of made-up words) and CJK characters are drawn from Zipf
distributions, so unrelated documents share common n-grams as real text does.

Truth (`reader_shingles`): two documents are near-duplicates when the exact Jaccard similarity of
the character 5-grams of their NFKC-normalised, lower-cased text with all whitespace removed is
at least 0.8. It is plain Python over strings; nothing here calls the stage.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

# common CJK characters, most frequent first
_ZH_COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点"
    "从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原"
    "又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革"
    "位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强"
    "放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交"
    "受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八"
    "离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布"
    "复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精"
)
# the most common English words, most frequent first
_EN_COMMON_TEXT = (
    "the of and to a in is that for it as was with be by on not he i this are or his from at which "
    "but have an they you were her she there one all we their has been would more when if will so "
    "no what up out who them some can other time into only new could these two may first then do "
    "any like my now over such our man me even most made after also did many before must through "
    "back years where much your way well down should because each just those people how too little "
    "state good very make world still own see men work long get here between both life being under "
    "never day same another know while last might us great old year off come since against go came "
    "right used take three data model training system language text page search market city report"
)
_EN_COMMON = _EN_COMMON_TEXT.split()
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou", "ee")]
_TERMS = ["GPT-4", "token", "RLHF", "Transformer", "API", "Ray", "Parquet", "Python", "GPU", "LLM", "AI"]
_BOILERPLATE = {
    "en": [
        "Share this article on social media.",
        "Subscribe to our newsletter for weekly updates.",
        "Read more: the latest stories from our newsroom.",
    ],
    "zh": [
        "扫码打开APP，阅读更多精彩内容。",
        "本文来自微信公众号，转载请注明出处。",
        "相关阅读：更多新闻请关注我们。",
    ],
}
# full-width punctuation and its half-width twin (NFKC folds the first four, not the rest)
_WIDTH_PAIRS = [("，", ","), ("：", ":"), ("？", "?"), ("！", "!"), ("。", "."), ("、", ","), ("“", '"')]
LANGS = ("zh", "en", "mixed")
EDITS = (
    "drop_sentence",
    "insert_sentence",
    "typos",
    "boilerplate",
    "punctuation_width",
    "cjk_spaces",
    "swap_paragraphs",
)
_LATIN_EDITS = ("drop_sentence", "insert_sentence", "typos", "boilerplate", "swap_paragraphs")


@dataclass
class _Doc:
    lang: str
    paragraphs: list[list[str]]  # paragraphs of rendered sentences

    def render(self) -> str:
        glue = " " if self.lang == "en" else ""
        return "\n\n".join(glue.join(p) for p in self.paragraphs)

    def copy(self) -> _Doc:
        return _Doc(self.lang, [list(p) for p in self.paragraphs])


class CorpusGenerator:
    """Deterministic for a seed; `zh_text` (optional) gives the CJK characters by frequency."""

    def __init__(self, seed: int = 0, zh_text: str | None = None, en_words: int = 20000) -> None:
        self.rng = np.random.default_rng(seed)
        rng = np.random.default_rng(seed + 1)
        words = dict.fromkeys(_EN_COMMON)
        while len(words) < en_words:
            words.setdefault("".join(rng.choice(_SYLLABLES, rng.integers(1, 4))))
        self.en_vocab = np.array(list(words))
        self.en_cdf = np.cumsum(_zipf(len(self.en_vocab)))
        chars = _ZH_COMMON
        if zh_text:
            counts: dict[str, int] = {}
            for ch in zh_text:
                if "\u4e00" <= ch <= "\u9fff":
                    counts[ch] = counts.get(ch, 0) + 1
            chars = "".join(sorted(counts, key=lambda c: (-counts[c], c))) or _ZH_COMMON
        extra = [chr(0x4E00 + i) for i in rng.choice(20000, 3000, replace=False)]
        self.zh_vocab = np.array(list(dict.fromkeys(list(chars) + extra)))
        self.zh_cdf = np.cumsum(_zipf(len(self.zh_vocab)))

    # -- text ---------------------------------------------------------------------------------

    def _draw(self, vocab: np.ndarray, cdf: np.ndarray, count: int) -> list[str]:
        picks = np.minimum(np.searchsorted(cdf, self.rng.random(count)), len(vocab) - 1)
        return vocab[picks].tolist()

    def _number(self) -> str:
        return str(int(self.rng.choice([self.rng.integers(1990, 2026), self.rng.integers(2, 1000)])))

    def sentence(self, lang: str) -> str:
        if lang == "en":
            words = self._draw(self.en_vocab, self.en_cdf, int(self.rng.integers(6, 24)))
            if self.rng.random() < 0.3:
                words.insert(int(self.rng.integers(len(words))), self._number())
            if len(words) > 10 and self.rng.random() < 0.5:
                words[int(self.rng.integers(3, len(words) - 3))] += ","
            return " ".join(words).capitalize() + "."
        chars = self._draw(self.zh_vocab, self.zh_cdf, int(self.rng.integers(10, 36)))
        if len(chars) > 14 and self.rng.random() < 0.6:
            chars.insert(int(self.rng.integers(5, len(chars) - 5)), "，")
        inserts = int(self.rng.integers(1, 4)) if lang == "mixed" else int(self.rng.random() < 0.2)
        for _ in range(inserts):
            if lang == "mixed" and self.rng.random() < 0.5:
                term = " ".join(self._draw(self.en_vocab, self.en_cdf, int(self.rng.integers(1, 4))))
            else:
                term = str(self.rng.choice(_TERMS)) if self.rng.random() < 0.7 else self._number()
            chars.insert(int(self.rng.integers(len(chars) + 1)), f" {term} ")
        return "".join(chars).strip() + str(self.rng.choice(["。", "。", "。", "？", "！"]))

    def original(self, lang: str, sentences: int) -> _Doc:
        paragraphs, left = [], sentences
        while left > 0:
            size = min(left, int(self.rng.integers(1, 6)))
            paragraphs.append([self.sentence(lang) for _ in range(size)])
            left -= size
        return _Doc(lang, paragraphs)

    # -- edits --------------------------------------------------------------------------------

    def edits_for(self, lang: str) -> tuple[str, ...]:
        return _LATIN_EDITS if lang == "en" else EDITS

    def variant(self, doc: _Doc, edits: tuple[str, ...]) -> _Doc:
        out = doc.copy()
        for edit in edits:
            getattr(self, f"_{edit}")(out)
        return out

    def _pick_paragraph(self, doc: _Doc) -> list[str]:
        return doc.paragraphs[int(self.rng.integers(len(doc.paragraphs)))]

    def _drop_sentence(self, doc: _Doc) -> None:
        paragraph = self._pick_paragraph(doc)
        if len(paragraph) > 1 or len(doc.paragraphs) == 1:
            del paragraph[int(self.rng.integers(len(paragraph)))]
        else:
            doc.paragraphs.remove(paragraph)

    def _insert_sentence(self, doc: _Doc) -> None:
        paragraph = self._pick_paragraph(doc)
        paragraph.insert(int(self.rng.integers(len(paragraph) + 1)), self.sentence(doc.lang))

    def _typos(self, doc: _Doc) -> None:
        """1-6 characters replaced, deleted or doubled, or digits changed, at random places."""
        for _ in range(int(self.rng.integers(1, 7))):
            paragraph = self._pick_paragraph(doc)
            at = int(self.rng.integers(len(paragraph)))
            text = paragraph[at]
            pos = int(self.rng.integers(len(text)))
            digits = [i for i, c in enumerate(text) if c.isdigit()]
            if digits and self.rng.random() < 0.3:
                pos = int(self.rng.choice(digits))
                text = text[:pos] + str((int(text[pos]) + 1) % 10) + text[pos + 1 :]
            elif self.rng.random() < 0.5:
                pool = "abcdefghijklmnopqrstuvwxyz" if doc.lang == "en" else "".join(self.zh_vocab[:500])
                text = text[:pos] + str(self.rng.choice(list(pool))) + text[pos + 1 :]
            elif self.rng.random() < 0.5:
                text = text[:pos] + text[pos + 1 :]
            else:
                text = text[:pos] + text[pos] + text[pos:]
            paragraph[at] = text

    def _boilerplate(self, doc: _Doc) -> None:
        pool = _BOILERPLATE["en" if doc.lang == "en" else "zh"]
        line = [str(self.rng.choice(pool))]
        doc.paragraphs.insert(0 if self.rng.random() < 0.5 else len(doc.paragraphs), line)

    def _punctuation_width(self, doc: _Doc) -> None:
        """Every punctuation mark of one kind and direction switched, in the whole document."""
        full, half = _WIDTH_PAIRS[int(self.rng.integers(len(_WIDTH_PAIRS)))]
        old, new = (full, half) if self.rng.random() < 0.7 else (half, full)
        doc.paragraphs = [[s.replace(old, new) for s in p] for p in doc.paragraphs]

    def _cjk_spaces(self, doc: _Doc) -> None:
        """Spaces between the CJK characters of one paragraph (as bad converters leave them)."""
        at = int(self.rng.integers(len(doc.paragraphs)))
        doc.paragraphs[at] = [
            re.sub(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])", " ", s) for s in doc.paragraphs[at]
        ]

    def _swap_paragraphs(self, doc: _Doc) -> None:
        if len(doc.paragraphs) > 1:
            i, j = self.rng.choice(len(doc.paragraphs), 2, replace=False)
            doc.paragraphs[i], doc.paragraphs[j] = doc.paragraphs[j], doc.paragraphs[i]

    # -- corpora ------------------------------------------------------------------------------

    def _site(self, lang: str) -> tuple[str, str]:
        """A site's header (navigation) and footer, shared by all its articles."""
        header = " | ".join(self.sentence(lang).rstrip("。？！.") for _ in range(3))
        footer = self.sentence(lang) + " " + self.sentence(lang) + " © 2024"
        return header, footer

    def corpus(
        self,
        families: int,
        dup_share: float = 0.4,
        sentences: tuple[int, int] = (5, 30),
        sites: int | None = None,
    ) -> pa.Table:
        """`families` originals in equal shares of zh, en and mixed, a `dup_share` of them with
        1-3 variants (one or two edits each, or an exact copy); plus `sites` sites (default
        families // 20) of 2-5 hard negatives: short articles under the site's shared header and
        footer. Columns id, text, quality, family (-1 for hard negatives), site (-1 elsewhere),
        lang, edits. Ids are random hex (so the keep rule is not the planting order)."""
        rows: dict[str, list] = {k: [] for k in ("id", "text", "quality", "family", "site", "lang", "edits")}

        def add(text: str, family: int, site: int, lang: str, edits: str) -> None:
            rows["id"].append(self.rng.bytes(16).hex())
            rows["text"].append(text)
            rows["quality"].append(float(self.rng.random()) if self.rng.random() < 0.8 else None)
            rows["family"].append(family)
            rows["site"].append(site)
            rows["lang"].append(lang)
            rows["edits"].append(edits)

        for f in range(families):
            lang = LANGS[f % 3]
            doc = self.original(lang, int(self.rng.integers(*sentences)))
            add(doc.render(), f, -1, lang, "")
            if self.rng.random() < dup_share:
                for _ in range(int(self.rng.integers(1, 4))):
                    kinds = self.edits_for(lang)
                    edits = tuple(self.rng.choice(kinds, int(self.rng.integers(1, 3)), replace=False))
                    if self.rng.random() < 0.1:
                        edits = ()  # an exact copy
                    add(self.variant(doc, edits).render(), f, -1, lang, "+".join(edits) or "copy")
        for s in range(families // 20 if sites is None else sites):
            lang = LANGS[s % 3]
            header, footer = self._site(lang)
            for _ in range(int(self.rng.integers(2, 6))):
                body = self.original(lang, int(self.rng.integers(5, 9))).render()
                add(f"{header}\n\n{body}\n\n{footer}", -1, s, lang, "")
        return pa.table(
            {
                "id": pa.array(rows["id"], pa.string()),
                "text": pa.array(rows["text"], pa.large_string()),
                "quality": pa.array(rows["quality"], pa.float32()),
                "family": pa.array(rows["family"], pa.int64()),
                "site": pa.array(rows["site"], pa.int64()),
                "lang": pa.array(rows["lang"], pa.string()),
                "edits": pa.array(rows["edits"], pa.string()),
            }
        )


def _zipf(n: int, exponent: float = 1.0) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


# -- truth --------------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")


def reader_shingles(text: str, n: int = 5) -> set[str]:
    """The character n-grams of the NFKC-normalised, lower-cased text with whitespace removed."""
    flat = _WHITESPACE.sub("", unicodedata.normalize("NFKC", text).lower())
    if len(flat) <= n:
        return {flat} if flat else set()
    return {flat[i : i + n] for i in range(len(flat) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def exact_pairs(texts: list[str], threshold: float = 0.8) -> dict[tuple[int, int], float]:
    """Every pair (i < j) of texts whose `reader_shingles` Jaccard is >= threshold, by brute
    force over all pairs (a sparse product of the document x shingle matrix gives every
    intersection size)."""
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}
    rows, columns = [], []
    for doc, text in enumerate(texts):
        for gram in reader_shingles(text):
            rows.append(doc)
            columns.append(vocabulary.setdefault(gram, len(vocabulary)))
    if not rows:
        return {}
    matrix = csr_matrix((np.ones(len(rows), np.int32), (rows, columns)), shape=(len(texts), len(vocabulary)))
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    product = (matrix @ matrix.T).tocoo()
    upper = product.row < product.col
    i, j, inter = product.row[upper], product.col[upper], product.data[upper]
    similarity = inter / (sizes[i] + sizes[j] - inter)
    hit = similarity >= threshold
    return {(int(a), int(b)): float(x) for a, b, x in zip(i[hit], j[hit], similarity[hit], strict=True)}


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    true_pairs: int
    removed: int


def pair_scores(
    truth: dict[tuple[int, int], float],
    groups: np.ndarray,
    cluster_of: list[str],
    removed: np.ndarray,
    kept_index: np.ndarray,
    similarity,
    threshold: float = 0.8,
) -> Score:
    """Recall: the share of truth pairs whose two documents end in the same cluster. Precision:
    the share of removed documents whose similarity to the document kept in their place is >=
    threshold; a removed document below it counts neither way when it and the kept one were
    planted in one family (a variant edited past the threshold), and as an error otherwise.
    `groups` is the family of each document (-1: none), `similarity(i, j)` the truth measure."""
    found = sum(1 for i, j in truth if cluster_of[i] == cluster_of[j])
    right = wrong = 0
    for i in np.flatnonzero(removed):
        k = int(kept_index[i])
        if similarity(i, k) >= threshold:
            right += 1
        elif groups[i] < 0 or groups[i] != groups[k]:
            wrong += 1
    precision = right / (right + wrong) if right + wrong else 1.0
    return Score(precision, found / len(truth) if truth else 1.0, len(truth), int(removed.sum()))
