"""Cut documents into chunks of at most N tokens of the model's tokenizer, on paragraph
boundaries; a paragraph longer than a chunk is cut at sentence ends (CJK and Latin
punctuation), a sentence longer than a chunk at token boundaries."""

from __future__ import annotations

import functools
import re
from pathlib import Path

PARAGRAPH_BREAK = re.compile(r"\s*\n\s*")
# after CJK sentence punctuation (no space follows it), or Latin sentence punctuation + space
SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;])\s+")


class TokenCounter:
    """Counts and cuts text by the tokens of a `tokenizer.json` (Hugging Face `tokenizers`)."""

    def __init__(self, tokenizer_file: Path) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))

    def count(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        return [len(e.ids) for e in self.tokenizer.encode_batch(texts, add_special_tokens=False)]

    def cut(self, text: str, max_tokens: int) -> list[str]:
        """`text` in consecutive pieces of at most `max_tokens` tokens."""
        offsets = self.tokenizer.encode(text, add_special_tokens=False).offsets
        pieces = []
        for start in range(0, len(offsets), max_tokens):
            window = offsets[start : start + max_tokens]
            end = offsets[start + max_tokens][0] if start + max_tokens < len(offsets) else len(text)
            pieces.append(text[window[0][0] : end])
        return [p for p in pieces if p.strip()]


@functools.lru_cache(maxsize=4)
def token_counter(tokenizer_file: str) -> TokenCounter:
    """One counter per tokenizer file and process."""
    return TokenCounter(Path(tokenizer_file))


def _pieces(paragraph: str, tokens: int, counter: TokenCounter, max_tokens: int) -> list[tuple[str, int]]:
    if tokens <= max_tokens:
        return [(paragraph, tokens)]
    out = []
    sentences = [s for s in SENTENCE_END.split(paragraph) if s and s.strip()]
    for sentence, n in zip(sentences, counter.count(sentences), strict=True):
        if n <= max_tokens:
            out.append((sentence, n))
        else:
            cut = counter.cut(sentence, max_tokens)
            out.extend(zip(cut, counter.count(cut), strict=True))
    return out


def chunk_text(text: str, counter: TokenCounter, max_tokens: int, min_tokens: int) -> list[str]:
    """Chunks of at most `max_tokens` tokens, paragraphs packed greedily in order; chunks
    shorter than `min_tokens` (such as a whole short document) are left out."""
    paragraphs = [p for p in PARAGRAPH_BREAK.split(text or "") if p]
    pieces: list[tuple[str, int]] = []
    for paragraph, n in zip(paragraphs, counter.count(paragraphs), strict=True):
        pieces.extend(_pieces(paragraph, n, counter, max_tokens))
    chunks: list[list[str]] = []
    sizes: list[int] = []
    for piece, n in pieces:
        # +1: the newline that joins two pieces is (at most) one more token
        if chunks and sizes[-1] + 1 + n <= max_tokens:
            chunks[-1].append(piece)
            sizes[-1] += 1 + n
        else:
            chunks.append([piece])
            sizes.append(n)
    joined = ["\n".join(parts) for parts in chunks]
    return [c for c, n in zip(joined, sizes, strict=True) if n >= min_tokens]
