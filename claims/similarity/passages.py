"""Cutting source documents into passages, the units that are embedded and matched.

A whole report is too long for the encoder (it reads 256 word pieces) and too diffuse to match a
one-sentence claim; single sentences lose their context ("He said it twice."). Windows of a few
whole sentences, overlapping by one, keep both. Offsets point into the original text so a
reviewer sees the passage where it stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends after . ! ? (and any closing quotes or brackets) where whitespace is followed by an
# upper-case letter, a digit or an opening quote; a blank line always ends one.
SENTENCE_END_RE = re.compile(r"""[.!?]+["'”’)\]]*(?P<gap>\s+)(?=["'“‘(\[]?[A-Z0-9])|(?P<blank>\n[ \t]*\n\s*)""")
# Abbreviations after which a full stop does not end the sentence.
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sen rep gov gen col lt sgt st jr sr inc ltd co corp vs etc approx dept est fig jan feb "
    "mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e a.m p.m".split()
)
WORD_RE = re.compile(r"\S+")


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    text: str


def _ends_with_abbreviation(text: str) -> bool:
    words = text.rstrip().split()
    if not words:
        return False
    last = words[-1].rstrip(".").lower()
    # Initials such as "J." in "Donald J. Trump" do not end a sentence either.
    return last in ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def split_sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, whitespace trimmed, in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in SENTENCE_END_RE.finditer(text):
        end = match.start("gap") if match.group("gap") is not None else match.start("blank")
        if match.group("blank") is None and _ends_with_abbreviation(text[start:end]):
            continue
        spans.append((start, end))
        start = match.end()
    spans.append((start, len(text)))
    trimmed = []
    for span_start, span_end in spans:
        segment = text[span_start:span_end]
        stripped = segment.strip()
        if not stripped:
            continue
        leading = len(segment) - len(segment.lstrip())
        trimmed.append((span_start + leading, span_start + leading + len(stripped)))
    return trimmed


def _split_long_span(text: str, start: int, end: int, *, max_words: int) -> list[tuple[int, int]]:
    """Cut a sentence longer than `max_words` at word boundaries (tables, lists, run-on text)."""
    words = [(start + match.start(), start + match.end()) for match in WORD_RE.finditer(text[start:end])]
    return [
        (words[index][0], words[min(index + max_words, len(words)) - 1][1]) for index in range(0, len(words), max_words)
    ]


def chunk_passages(text: str, *, max_words: int = 120, overlap_sentences: int = 1) -> list[Passage]:
    """Windows of whole sentences of at most `max_words` words, consecutive windows sharing
    `overlap_sentences` sentences. `text[p.start:p.end] == p.text` for every passage.
    """
    if max_words < 1:
        raise ValueError("max_words must be at least 1.")
    if overlap_sentences < 0:
        raise ValueError("overlap_sentences must not be negative.")
    spans: list[tuple[int, int]] = []
    for start, end in split_sentence_spans(text):
        if len(WORD_RE.findall(text[start:end])) > max_words:
            spans.extend(_split_long_span(text, start, end, max_words=max_words))
        else:
            spans.append((start, end))
    word_counts = [len(WORD_RE.findall(text[start:end])) for start, end in spans]
    passages: list[Passage] = []
    first = 0
    while first < len(spans):
        last = first
        words = word_counts[first]
        while last + 1 < len(spans) and words + word_counts[last + 1] <= max_words:
            last += 1
            words += word_counts[last]
        start, end = spans[first][0], spans[last][1]
        passages.append(Passage(start=start, end=end, text=text[start:end]))
        if last + 1 >= len(spans):
            break
        # Overlap, but always move forward: a window of one sentence cannot overlap itself.
        first = max(first + 1, last + 1 - overlap_sentences)
    return passages
