"""Small text utilities shared by the checks: phrase tries, normalisation, year mentions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Letters that NFKD does not decompose but that English-language copy routinely writes without.
_ASCII_FALLBACKS = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "ß": "ss"})

YEAR_RE = re.compile(r"(?<![\d,.])(?:19|20)\d{2}(?![\d])(?!,\d)")


# A character trie: each key is one character ("" marks the end of a phrase).
_Trie = dict[str, "_Trie"]


def fold_ascii(value: str) -> str:
    """'Erdoğan' -> 'Erdogan', 'Szydło' -> 'Szydlo': the spellings wire copy uses."""
    decomposed = unicodedata.normalize("NFKD", value.translate(_ASCII_FALLBACKS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalise_phrase(value: str) -> str:
    """Key under which titles and country words are looked up, whatever their case or spacing."""
    return re.sub(r"\s+", " ", value.replace("’", "'")).strip().lower()


def _char_pattern(ch: str) -> str:
    if ch == "'":
        return "['’]"
    if ch == " ":
        return r"\s+"
    return re.escape(ch)


def trie_pattern(phrases: Iterable[str]) -> str:
    """One regex alternative for many phrases, shaped as a trie so matching stays cheap.

    Optional tails are greedy, so the longest phrase wins ("Xi Jinping" over "Xi") and
    the engine backtracks to a shorter one only when the rest of the pattern fails.
    """
    trie: _Trie = {}
    for phrase in phrases:
        if not phrase:
            continue
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}
    if not trie:
        return r"(?!x)x"
    return _emit(trie)


def _emit(node: _Trie) -> str:
    branches = [_char_pattern(ch) + _emit(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return "(?:" + body + ")?"
    return body


def years_mentioned(text: str) -> list[int]:
    return [int(match.group(0)) for match in YEAR_RE.finditer(text)]
