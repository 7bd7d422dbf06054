"""Synthetic Chinese/English corpora with planted near-duplicates and exact-Jaccard ground truth.

For the dedup tests and `bench/bench_dedup.py`. Each *family* is an original document plus
variants of it: small token edits, an inserted or removed sentence, reordered paragraphs,
boilerplate lines added, or several of these. Words and CJK characters are drawn from Zipf
distributions, so unrelated documents share common shingles as real text does. Ground truth is
the exact Jaccard of the documents' shingle sets (the same shingles the stage signs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from datamill.stages.dedup_minhash.shingles import batch_shingles

# common CJK characters (GB2312 level 1 starts at 啊; these are the usual high-frequency ones)
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
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou", "ee")]
_EN_BOILERPLATE = [
    "Share this article on social media.",
    "Subscribe to our newsletter for weekly updates.",
    "All rights reserved. Terms of use and privacy policy.",
]
_ZH_BOILERPLATE = [
    "扫码打开APP，阅读更多精彩内容。",
    "本文来自微信公众号，转载请注明出处。",
    "相关阅读：更多新闻请关注我们。",
]
VARIANT_KINDS = ("edit", "sentence", "reorder", "boilerplate", "mixed")


@dataclass
class _Doc:
    lang: str
    paragraphs: list[list[list[str]]]  # paragraphs of sentences of tokens

    def render(self) -> str:
        if self.lang == "zh":
            return "\n\n".join("".join("".join(s) + "。" for s in p) for p in self.paragraphs)
        return "\n\n".join(" ".join(" ".join(s).capitalize() + "." for s in p) for p in self.paragraphs)


class CorpusGenerator:
    """Deterministic for a seed; `zh_text` (optional) gives the CJK characters by frequency."""

    def __init__(self, seed: int = 0, zh_text: str | None = None, en_words: int = 20000) -> None:
        self.rng = np.random.default_rng(seed)
        rng = np.random.default_rng(seed + 1)
        words = set()
        while len(words) < en_words:
            words.add("".join(rng.choice(_SYLLABLES, rng.integers(1, 4))))
        self.en_vocab = np.array(sorted(words))
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
        self.terms = ["GPT-4", "token", "RLHF", "Transformer", "API", "2024", "Ray", "Parquet"]

    def _sentence(self, lang: str) -> list[str]:
        if lang == "zh":
            tokens = list(self._draw(self.zh_vocab, self.zh_cdf, int(self.rng.integers(8, 30))))
            if self.rng.random() < 0.3:
                tokens.insert(int(self.rng.integers(len(tokens))), f" {self.rng.choice(self.terms)} ")
            return tokens
        return list(self._draw(self.en_vocab, self.en_cdf, int(self.rng.integers(6, 22))))

    def _draw(self, vocab: np.ndarray, cdf: np.ndarray, count: int) -> np.ndarray:
        return vocab[np.minimum(np.searchsorted(cdf, self.rng.random(count)), len(vocab) - 1)]

    def original(self, lang: str, sentences: int) -> _Doc:
        paragraphs, left = [], sentences
        while left > 0:
            size = min(left, int(self.rng.integers(2, 6)))
            paragraphs.append([self._sentence(lang) for _ in range(size)])
            left -= size
        return _Doc(lang, paragraphs)

    def variant(self, doc: _Doc, kind: str) -> _Doc:
        out = _Doc(doc.lang, [[list(s) for s in p] for p in doc.paragraphs])
        if kind in ("edit", "mixed"):
            self._edit_tokens(out, rate=float(self.rng.uniform(0.005, 0.03)))
        if kind in ("sentence", "mixed"):
            p = out.paragraphs[int(self.rng.integers(len(out.paragraphs)))]
            if self.rng.random() < 0.5 and len(p) > 1:
                del p[int(self.rng.integers(len(p)))]
            else:
                p.insert(int(self.rng.integers(len(p) + 1)), self._sentence(doc.lang))
        if kind in ("reorder", "mixed") and len(out.paragraphs) > 1:
            self.rng.shuffle(out.paragraphs)
        if kind in ("boilerplate", "mixed"):
            pool = _ZH_BOILERPLATE if doc.lang == "zh" else _EN_BOILERPLATE
            line = str(self.rng.choice(pool)).rstrip("。.")
            tokens = list(line) if doc.lang == "zh" else line.lower().split()
            out.paragraphs.insert(0 if self.rng.random() < 0.5 else len(out.paragraphs), [tokens])
        return out

    def _edit_tokens(self, doc: _Doc, rate: float) -> None:
        for paragraph in doc.paragraphs:
            for sentence in paragraph:
                for i in reversed(range(len(sentence))):
                    if self.rng.random() >= rate:
                        continue
                    action = self.rng.integers(3)
                    if action == 0 and len(sentence) > 1:
                        del sentence[i]
                    elif action == 1:
                        sentence.insert(i, self._sentence(doc.lang)[0])
                    else:
                        sentence[i] = self._sentence(doc.lang)[0]

    def corpus(
        self,
        families: int,
        zh_share: float = 0.5,
        dup_share: float = 0.3,
        sentences: tuple[int, int] = (8, 20),
    ) -> pa.Table:
        """`families` originals, a `dup_share` of them with 1-3 variants; columns id, text,
        quality, family, kind. Ids are random hex (so the keep rule is not the planting order)."""
        ids, texts, quality, family, kinds = [], [], [], [], []
        for f in range(families):
            lang = "zh" if self.rng.random() < zh_share else "en"
            doc = self.original(lang, int(self.rng.integers(*sentences)))
            members = [("original", doc)]
            if self.rng.random() < dup_share:
                for _ in range(int(self.rng.integers(1, 4))):
                    kind = str(self.rng.choice(VARIANT_KINDS))
                    members.append((kind, self.variant(doc, kind)))
            for kind, member in members:
                ids.append(self.rng.bytes(16).hex())
                texts.append(member.render())
                quality.append(float(self.rng.random()) if self.rng.random() < 0.8 else None)
                family.append(f)
                kinds.append(kind)
        return pa.table(
            {
                "id": pa.array(ids, pa.string()),
                "text": pa.array(texts, pa.large_string()),
                "quality": pa.array(quality, pa.float32()),
                "family": pa.array(family, pa.int64()),
                "kind": pa.array(kinds, pa.string()),
            }
        )


def _zipf(n: int, exponent: float = 1.05) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def shingle_sets(texts: pa.Array | pa.ChunkedArray, ngram: int = 5) -> list[np.ndarray]:
    """Each text's distinct shingle hashes (default normalization)."""
    shingles = batch_shingles(texts, ngram)
    offsets = shingles.offsets
    return [np.unique(shingles.hashes[offsets[i] : offsets[i + 1]]) for i in range(len(shingles.counts))]


def exact_pairs(sets: list[np.ndarray], threshold: float) -> dict[tuple[int, int], float]:
    """Every pair (i < j) with exact Jaccard >= threshold, brute force over all pairs (a sparse
    product of the document x shingle matrix gives every intersection size)."""
    from scipy.sparse import csr_matrix

    sizes = np.array([len(s) for s in sets])
    if not sizes.sum():
        return {}
    vocab, columns = np.unique(np.concatenate(sets), return_inverse=True)
    rows = np.repeat(np.arange(len(sets)), sizes)
    matrix = csr_matrix((np.ones(len(rows), np.int32), (rows, columns)), shape=(len(sets), len(vocab)))
    product = (matrix @ matrix.T).tocoo()
    upper = product.row < product.col
    i, j, inter = product.row[upper], product.col[upper], product.data[upper]
    jaccard = inter / (sizes[i] + sizes[j] - inter)
    hit = jaccard >= threshold
    return {(int(a), int(b)): float(x) for a, b, x in zip(i[hit], j[hit], jaccard[hit], strict=True)}


def document_scores(truth_pairs, clustered: np.ndarray) -> tuple[float, float]:
    """(precision, recall) of 'this document is a near-duplicate': truth = it has a partner at
    or above the threshold; predicted = it is in a cluster of two or more."""
    truth = np.zeros(len(clustered), dtype=bool)
    for a, b in truth_pairs:
        truth[a] = truth[b] = True
    hits = int((truth & clustered).sum())
    precision = hits / int(clustered.sum()) if clustered.any() else 1.0
    recall = hits / int(truth.sum()) if truth.any() else 1.0
    return precision, recall
