"""Finding "title + name" mentions in text: "Former U.S. President Donald Trump", "Olaf Scholz, the German chancellor".

The person's name is the anchor: names are looked up with one precompiled trie, then the
few characters before the name (a title) or after it (an appositive) are parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from claims.checks.office_kb import OfficeKB
from claims.checks.text import normalise_phrase, trie_pattern

# Words that may stand right before a title. Only "former" and its synonyms change what the
# title claims; the others make the mention something the check must not judge.
FORMER_MODIFIERS = {"former", "ex", "erstwhile"}
CURRENT_MODIFIERS = {"new", "newly elected", "current", "sitting", "incumbent", "embattled", "re-elected"}
SILENCING_MODIFIERS = {
    "then", "late", "outgoing", "incoming", "future", "acting", "interim", "caretaker", "deputy", "vice",
    "first", "second", "third", "would-be", "one-time", "onetime", "two-time", "designated", "de facto",
    "self-proclaimed", "self-declared", "so-called", "ousted", "deposed", "impeached", "exiled",
    "disgraced", "next", "previous", "past", "longtime", "long-time", "suspended",
}  # fmt: skip
MODIFIERS = FORMER_MODIFIERS | CURRENT_MODIFIERS | SILENCING_MODIFIERS

# Words right before a title that make it not a description of the named person now:
# "Vice President", "a President Trump would ...", "the 45th President".
BLOCKING_WORDS = SILENCING_MODIFIERS | {"a", "an", "under", "whether", "if"}
ORDINAL_RE = re.compile(r"\d+(?:st|nd|rd|th)$")

# Capitalised words that may follow a name without making it part of a longer name.
_FOLLOWERS_OK = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
}  # fmt: skip
_FOLLOWER_RE = re.compile(r"\s+([A-Z][\w'’.-]*)")
_WORD_BEFORE_RE = re.compile(r"([\w'’-]+)[\s-]*\Z")

# Nouns after a name that make "former" ambiguous in scope: "a former President Trump aide".
COMPOUND_NOUNS = {
    "ally", "allies", "aide", "aides", "adviser", "advisers", "advisor", "advisors", "official", "officials",
    "administration", "appointee", "appointees", "nominee", "loyalist", "loyalists", "supporter",
    "supporters", "critic", "critics", "spokesman", "spokeswoman", "spokesperson", "campaign", "era",
    "voter", "voters", "donor", "donors", "lawyer", "lawyers", "associate", "associates", "confidant",
    "cabinet", "government", "years", "policy", "policies", "doctrine", "presidency", "tenure",
}  # fmt: skip
_NEXT_WORD_RE = re.compile(r"\s+([a-z][\w-]*)")


@dataclass(frozen=True)
class TitleMention:
    """A person named with an office title. Offsets are in the text that was searched."""

    start: int
    end: int
    name_start: int
    name_end: int
    person_ids: frozenset[str]
    office_ids: frozenset[str]
    qualified: bool
    tight: bool
    described_as: str | None
    modifier_start: int | None
    modifier_end: int | None
    title_start: int
    title_text: str


class TitleMatcher:
    def __init__(self, kb: OfficeKB) -> None:
        self.kb = kb
        mods = trie_pattern(sorted(MODIFIERS))
        quals = trie_pattern(sorted(kb.qualifier_phrases()))
        roles = trie_pattern(sorted(kb.role_phrases()))
        names_of = trie_pattern(sorted(kb.country_name_phrases()))
        title = (
            rf"(?:(?P<mod1>{mods})(?:\s*-\s*|\s+))?"
            rf"(?:(?P<qual>{quals})\s+)?"
            rf"(?:(?P<mod2>{mods})(?:\s*-\s*|\s+))?"
            rf"(?P<role>{roles})(?![\w-])"
            rf"(?:\s+of\s+(?:the\s+)?(?P<of>{names_of})(?![\w-]))?"
        )
        self.prefix_re = re.compile(rf"(?<![\w.'’-]){title}(?P<sep>\s*,\s*|\s+)\Z", re.IGNORECASE)
        self.appositive_re = re.compile(
            rf"\s*,\s*(?:(?P<det>the|a|an)\s+)?{title}"
            r"(?=\s*(?:[,.;:!?)\]—–]|\Z)|\s+(?:who|whose|and|said|says|told)\b)",
            re.IGNORECASE,
        )
        self.name_re = re.compile(rf"(?<![\w-])(?:{trie_pattern(sorted(kb.alias_phrases()))})(?![\w-])")

    def names(self, text: str) -> list[tuple[int, int, frozenset[str]]]:
        found = []
        for match in self.name_re.finditer(text):
            people = self.kb.people_by_alias.get(re.sub(r"\s+", " ", match.group(0).replace("’", "'")))
            if people:
                found.append((match.start(), match.end(), frozenset(people)))
        return found

    def mentions(self, text: str) -> list[TitleMention]:
        found = []
        for name_start, name_end, people in self.names(text):
            if _continues_name(text, name_end):
                continue
            mention = self._prefixed(text, name_start, name_end, people) or self._appositive(
                text, name_start, name_end, people
            )
            if mention is not None:
                found.append(mention)
        return found

    def _prefixed(self, text: str, name_start: int, name_end: int, people: frozenset[str]) -> TitleMention | None:
        window_start = max(0, name_start - 160)
        match = self.prefix_re.search(text, window_start, name_start)
        if match is None:
            return None
        described_as = self._described_as(match, text, match.start(), name_end)
        return self._mention(
            match,
            person_ids=people,
            start=match.start(),
            end=name_end,
            name_start=name_start,
            name_end=name_end,
            tight="," not in match.group("sep"),
            described_as=described_as,
        )

    def _appositive(self, text: str, name_start: int, name_end: int, people: frozenset[str]) -> TitleMention | None:
        match = self.appositive_re.match(text, name_end)
        if match is None:
            return None
        described_as = self._described_as(match, text, name_start, match.end())
        if (match.group("det") or "").lower() in {"a", "an"} and described_as != "former":
            described_as = None
        return self._mention(
            match,
            person_ids=people,
            start=name_start,
            end=match.end(),
            name_start=name_start,
            name_end=name_end,
            tight=False,
            described_as=described_as,
        )

    def _described_as(self, match: re.Match[str], text: str, span_start: int, span_end: int) -> str | None:
        modifiers = [normalise_phrase(m) for m in (match.group("mod1"), match.group("mod2")) if m]
        if any(m not in FORMER_MODIFIERS | CURRENT_MODIFIERS for m in modifiers):
            return None
        before = _WORD_BEFORE_RE.search(text, 0, span_start)
        word_before = before.group(1).lower() if before else ""
        if word_before in BLOCKING_WORDS - {"a", "an"} or ORDINAL_RE.search(word_before):
            return None
        former = any(m in FORMER_MODIFIERS for m in modifiers)
        if word_before in {"a", "an"} and not former:
            return None
        following = _NEXT_WORD_RE.match(text, span_end)
        if following and following.group(1).lower() in COMPOUND_NOUNS:
            return None
        return "former" if former else "current"

    def _mention(self, match: re.Match[str], **fields: Any) -> TitleMention | None:
        qualifier = match.group("qual")
        role = match.group("role")
        if normalise_phrase(role) == "pm" and role != "PM":
            return None
        country = None
        if qualifier:
            # Country adjectives are proper nouns; "told us President ..." is not "U.S. President".
            if not qualifier[0].isupper():
                return None
            country = self.kb.country_by_qualifier.get(normalise_phrase(qualifier))
        if match.group("of"):
            of_country = self.kb.country_by_name.get(normalise_phrase(match.group("of")))
            if country and of_country != country:
                return None
            country = of_country
        role_key = normalise_phrase(role)
        office_ids = set(self.kb.offices_by_title.get(role_key, ()))
        qualified = bool(office_ids)
        if country:
            office_ids = {o for o in office_ids if self.kb.offices[o].country == country} | set(
                self.kb.offices_by_role.get((country, role_key), ())
            )
            qualified = True
        elif not office_ids:
            office_ids = set(self.kb.offices_by_generic_role.get(role_key, ()))
        if not office_ids:
            return None
        modifier = next(
            (g for g in ("mod1", "mod2") if match.group(g) and normalise_phrase(match.group(g)) in FORMER_MODIFIERS),
            None,
        )
        title_start = min(match.start(g) for g in ("mod1", "qual", "mod2", "role") if match.group(g))
        insertion_start = min(match.start(g) for g in ("qual", "mod2", "role") if match.group(g))
        return TitleMention(
            office_ids=frozenset(office_ids),
            qualified=qualified,
            modifier_start=match.start(modifier) if modifier else None,
            modifier_end=match.end(modifier) if modifier else None,
            title_start=insertion_start,
            title_text=match.string[title_start : match.end("of") if match.group("of") else match.end("role")],
            **fields,
        )


def _continues_name(text: str, name_end: int) -> bool:
    """'Donald Trump Jr.', 'Queen Elizabeth Hospital', 'President Lee Hoi-chang': not the KB person."""
    follower = _FOLLOWER_RE.match(text, name_end)
    if follower is None:
        return False
    word = follower.group(1).rstrip(".")
    return word not in _FOLLOWERS_OK


def title_matcher(kb: OfficeKB) -> TitleMatcher:
    matcher = getattr(kb, "_title_matcher", None)
    if matcher is None:
        matcher = TitleMatcher(kb)
        kb._title_matcher = matcher  # type: ignore[attr-defined]
    return matcher
