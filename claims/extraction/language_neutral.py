"""Ranking sentences the check-worthiness model cannot read.

The check-worthiness classifier was trained on English debate sentences; on a Russian sentence its
score is noise (0.01 on every sentence of a Russian article, so nothing was queued and nobody was
told). Sentences in another language are kept as candidates a reviewer can promote, ordered by what
can be seen in any language: numbers and percentages, named things (capitalised words inside the
sentence, in scripts that have capitals), quotations, dates and the claim types found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..language import UNDETERMINED, detect_language, is_english

FALLBACK_METHOD = "language-neutral fallback"
MODEL_METHOD = "model"

_NUMBER = re.compile(r"\d")
_MEASURE = re.compile(r"\d\s*(%|‰|percent|процент|por ciento|pour cent|prozent|[$€£¥₽])|[$€£¥₽]\s*\d", re.I)
# A capitalised word that does not open the sentence: a name in every script with capitals.
_INNER_CAPITAL = re.compile(r"(?<=[\s,;:(«\"'“„])[^\W\d_][^\W_]*", re.UNICODE)
_QUOTE = re.compile(r"[«“„\"].{12,}?[»”\"]")
_CONTENT_TYPES = frozenset({"statistic", "quote", "causal", "prediction", "law", "role", "event"})


def language_neutral_score(sentence: str, *, claim_types: Sequence[str] = ()) -> float:
    """A score in [0, 0.6]: never as high as a confident model score, so the two are never confused
    in one queue, and only an order among the sentences the model could not read."""
    names = sum(1 for word in _INNER_CAPITAL.findall(sentence) if word[:1].isupper())
    score = 0.0
    score += 0.15 if _NUMBER.search(sentence) else 0.0
    score += 0.1 if _MEASURE.search(sentence) else 0.0
    score += min(0.15, 0.05 * names)
    score += 0.1 if _QUOTE.search(sentence) else 0.0
    score += min(0.1, 0.05 * len(_CONTENT_TYPES.intersection(claim_types)))
    # Very short sentences are headlines, captions and datelines more often than claims.
    score *= 0.5 if len(sentence.split()) < 5 else 1.0
    return round(min(0.6, score), 4)


# A sentence leaves its document's language only on a confident detection: a misread English
# sentence would lose its model score.
SENTENCE_MIN_CONFIDENCE = 0.95
SENTENCE_MIN_WORDS = 4


def sentence_languages(sentences: Sequence[str], *, document_language: str) -> list[str]:
    """Each sentence's language; one that is short or unclear takes the document's."""
    languages = []
    for sentence in sentences:
        detection = detect_language(sentence)
        confident = detection.confidence >= SENTENCE_MIN_CONFIDENCE and len(sentence.split()) >= SENTENCE_MIN_WORDS
        languages.append(detection.language if confident and detection.language != UNDETERMINED else document_language)
    return languages


def model_reads(language: str) -> bool:
    """Whether the English-only check-worthiness model's score means anything for this language."""
    return is_english(language)
