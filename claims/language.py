"""Which language a text is in: py3langid (offline, a few hundred kB of model), made careful on short text.

The detector scores 97 languages; most of them never reach a news desk, and on a few words the rare
ones win by accident ("Trump said Merkel" reads as Malay). It is restricted to the languages a desk
is likely to see, and a short text it is unsure about is "und" (undetermined) rather than a guess.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

UNDETERMINED = "und"
ENGLISH = "en"

# Languages of the world's fact-checkers (IFCN signatories) and of the multilingual encoder.
DESK_LANGUAGES = (
    "ar bg bn ca cs da de el en es et fa fi fr he hi hr hu id it ja ko lt lv ms nl no pl pt ro ru sk sl sq "
    "sr sv sw ta th tl tr uk ur vi zh"
).split()

# Below this many words, a detection under MIN_SHORT_CONFIDENCE is not trusted.
SHORT_TEXT_WORDS = 4
MIN_SHORT_CONFIDENCE = 0.6
MIN_CONFIDENCE = 0.3
# The detector reads this many letters of a text; they are looked for in its first PREFIX_CHARS.
DETECTED_LETTERS = 5000
PREFIX_CHARS = 4 * DETECTED_LETTERS
# Only letters say anything about a language: URLs, handles, numbers and punctuation are dropped first.
NOISE_RE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|[\d\W_]+", re.UNICODE)
WORD_RE = re.compile(r"\w+", re.UNICODE)
# The model assumes every language equally likely; on a short news sentence it then reads Russian as
# Bulgarian or Macedonian by a few log units. Among Cyrillic languages a desk sees far more Russian,
# so there a prior (in log units) says so. Ukrainian and Belarusian have letters of their own.
CYRILLIC_NEIGHBOURS = frozenset({"bg", "mk", "sr", "uk", "be"})
NOT_RUSSIAN_LETTERS = frozenset("іїєґўІЇЄҐЎ")
RUSSIAN_LOG_PRIOR = 16.0


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float

    @property
    def is_english(self) -> bool:
        return self.language == ENGLISH


_lock = threading.Lock()
_identifier = None


def _get_identifier():  # type: ignore[no-untyped-def]
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=False)
            identifier.set_languages(DESK_LANGUAGES)
            _identifier = identifier
    return _identifier


def _letters(text: str) -> str:
    """The text without noise, as far as the detector reads it. A long text is cleaned from its start
    only, cut at a space so no word or address is split: cleaning the whole of a 1 MiB article takes
    a fifth of a second, for letters the detector never reads."""
    if len(text) > PREFIX_CHARS:
        cut = text.rfind(" ", 0, PREFIX_CHARS)
        letters = NOISE_RE.sub(" ", text[: cut if cut > 0 else PREFIX_CHARS]).strip()
        if len(letters) > DETECTED_LETTERS:
            return letters
    return NOISE_RE.sub(" ", text).strip()


def detect_language(text: str) -> Detection:
    """The language of ``text`` (ISO 639-1), or "und" when there is too little to tell.

    A text mixing languages gets the one most of its words are in."""
    letters = _letters(text or "")
    words = WORD_RE.findall(letters)
    if not words:
        return Detection(UNDETERMINED, 0.0)
    ranked = _get_identifier().rank(letters[:DETECTED_LETTERS])
    languages = [str(language) for language, _ in ranked]
    scores = np.array([float(score) for _, score in ranked])
    if languages[0] in CYRILLIC_NEIGHBOURS and "ru" in languages and not set(letters) & NOT_RUSSIAN_LETTERS:
        scores[languages.index("ru")] += RUSSIAN_LOG_PRIOR
    probabilities = np.exp(scores - scores.max())
    probabilities /= probabilities.sum()
    best = int(np.argmax(probabilities))
    language, confidence = languages[best], float(probabilities[best])
    if confidence < MIN_CONFIDENCE or (len(words) < SHORT_TEXT_WORDS and confidence < MIN_SHORT_CONFIDENCE):
        return Detection(UNDETERMINED, round(confidence, 4))
    return Detection(str(language), round(confidence, 4))


def is_english(language: str) -> bool:
    """Whether text in ``language`` can be scored by the English-only models. Undetermined counts as
    English: short texts without a clear language are usually names and numbers, which it handles."""
    return language in (ENGLISH, UNDETERMINED, "")
