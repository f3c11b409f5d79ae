"""role_in_office: was the title written before (or after) a name true on the publication date?

"Former U.S. President Donald Trump" in an article of 2025-05-12 is outdated: he has held the
office again since 2025-01-20. The check judges only what it can prove from the knowledge base
and stays silent otherwise: unknown people or offices, dates outside what the knowledge base
covers, days close to a change of office, and sentences that speak about the past.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from claims.checks.findings import INACCURATE, OUTDATED, CheckFinding, as_day
from claims.checks.mentions import CURRENT_MODIFIERS, TitleMatcher, TitleMention, title_matcher
from claims.checks.office_kb import OfficeKB, Term, load_office_kb
from claims.checks.text import years_mentioned

NAME = "role_in_office"

# A change of office is dated in one time zone and published in another, and articles are
# written the day before they appear: within this many days of a start or end, stay silent.
BOUNDARY_DAYS = 1

# Sentences that look back in time describe people with the titles they had then.
HISTORICAL_CUES = re.compile(
    r"\bat the time\b|\bback then\b|\bago\b|\bera\b|\bwas once\b|\brecall(?:s|ed)?\b"
    r"|\bduring (?:his|her|their|the) (?:presidency|premiership|chancellorship|tenure|term|time in office"
    r"|reign|administration)\b|\b(?:first|second|previous|earlier|last) term\b"
    r"|\b(?:while|when) (?:he|she|they) (?:was|were|served)\b|\bserved as\b|\bin office (?:from|between|until)\b"
    r"|\b(?:19|20)\d0s\b|\blast year\b|\bthen-|\bhistor(?:y|ic|ical|ically)\b",
    re.IGNORECASE,
)
# "appointed by President X", "a former aide to President X": the title dates from that past.
HISTORICAL_FRAME_BEFORE = re.compile(
    r"(?:\b(?:appointed|nominated|named|picked|chosen|pardoned|hired|fired|sacked|dismissed|served|worked"
    r"|elected|endorsed|backed)\s+(?:\w+\s+){0,2}(?:by|under|for|with)\s+(?:the\s+)?"
    r"|\b(?:former|ex-?)\b[^.;:!?]{0,40}\b(?:to|of|for|under|with|from)\s+(?:the\s+)?"
    r"|\b(?:under|during)\s+(?:the\s+)?)\Z",
    re.IGNORECASE,
)
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip
# "May" is also a verb: count it as a month only next to a day number or after a preposition.
_MONTH_RE = re.compile(
    r"\b(?P<month>January|February|March|April|June|July|August|September|October|November|December)\b"
    r"|\b(?:in|of|on|since|until|by|from|through|early|late|mid)[\s-]+(?P<may>May)\b"
    r"|\b(?P<may_dated>May)(?=\s+\d)|(?<=\d\s)(?P<dated_may>May)\b"
)


@dataclass(frozen=True)
class _Wrong:
    reason: str
    rating: str
    office_id: str
    person_term: Term | None
    holder_term: Term | None
    previous_term: Term | None = None


_CORRECT = "correct"


def check(
    *,
    text: str,
    published_at: datetime.date | None,
    context: str | None = None,
    kb: OfficeKB | None = None,
) -> list[CheckFinding]:
    day = as_day(published_at)
    if day is None or not text:
        return []
    kb = kb or load_office_kb()
    matcher = title_matcher(kb)
    mentions = [m for m in matcher.mentions(text) if m.described_as is not None]
    findings = []
    for mention in mentions:
        sentence = _sentence_around(text, mention.start, mention.end)
        if HISTORICAL_CUES.search(sentence):
            continue
        if HISTORICAL_FRAME_BEFORE.search(text, max(0, mention.start - 60), mention.start):
            continue
        person_id = _resolve_person(kb, matcher, mention, text=text, context=context)
        if person_id is None:
            continue
        wrong = _judge_mention(kb, mention, person_id, day)
        if wrong is None:
            continue
        periods = referenced_periods(sentence, day=day)
        if any(_holds_during(kb, mention, person_id, period) for period in periods):
            continue
        findings.append(_finding(kb, mention, person_id, wrong, text=text, day=day))
    return findings


_SENTENCE_END = re.compile(r"[.!?]['\"’”]?\s+(?=[\"“‘'(\[]?[A-Z])|\n\s*\n")


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding a mention: time cues elsewhere in a paragraph say nothing about it."""
    sentence_start = 0
    for boundary in _SENTENCE_END.finditer(text, 0, start):
        sentence_start = boundary.end()
    following = _SENTENCE_END.search(text, end)
    return text[sentence_start : following.start() + 1 if following else len(text)]


def referenced_periods(text: str, *, day: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """Years and months the sentence mentions, other than the publication date itself."""
    periods = []
    for year in set(years_mentioned(text)):
        if 1950 <= year <= day.year + 1 and year != day.year:
            periods.append((datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
    for match in _MONTH_RE.finditer(text):
        written = match.group("month") or "May"
        month = _MONTHS.index(written) + 1
        year = day.year if month <= day.month else day.year - 1
        first = datetime.date(year, month, 1)
        last = datetime.date(year + (month == 12), month % 12 + 1, 1) - datetime.timedelta(days=1)
        periods.append((first, last))
    return periods


def _resolve_person(
    kb: OfficeKB, matcher: TitleMatcher, mention: TitleMention, *, text: str, context: str | None
) -> str | None:
    candidates = set(mention.person_ids)
    if len(candidates) > 1:
        with_title = {p for p in candidates if kb.offices_by_person.get(p, set()) & mention.office_ids}
        candidates = with_title or candidates
    if len(candidates) > 1:
        # "Premier Li": only a full name elsewhere in the sentence or the article tells which Li.
        named: set[str] = set()
        for source in (text, context or ""):
            for _start, _end, people in matcher.names(source):
                if len(people) == 1:
                    named |= people
        candidates &= named
    return next(iter(candidates)) if len(candidates) == 1 else None


def _judge_mention(kb: OfficeKB, mention: TitleMention, person_id: str, day: datetime.date) -> _Wrong | None:
    candidates = set(mention.office_ids & kb.offices_by_person.get(person_id, set()))
    if not candidates:
        # A country-specific title right before the name of someone who never held it is a
        # confusion worth flagging; a bare "President" might be an office we do not know.
        if not (mention.qualified and mention.tight and len(mention.office_ids) == 1):
            return None
        candidates = set(mention.office_ids)
    wrongs = []
    for office_id in sorted(candidates):
        outcome = _judge(kb, mention, person_id, office_id, day)
        # The title may be right for any one of the offices it can name: then it is not wrong.
        if not isinstance(outcome, _Wrong):
            return None
        wrongs.append(outcome)
    return wrongs[0]


def _holds_during(
    kb: OfficeKB, mention: TitleMention, person_id: str, period: tuple[datetime.date, datetime.date]
) -> bool:
    first, last = period
    day = first
    while day <= last:
        if _judge_mention(kb, mention, person_id, day) is None:
            return True
        day += datetime.timedelta(days=7)
    return _judge_mention(kb, mention, person_id, last) is None


def _clearly_covers(term: Term, day: datetime.date) -> bool:
    margin = BOUNDARY_DAYS + term.uncertainty_days
    return (day - term.start).days > margin and (term.end is None or (term.end - day).days > margin)


def _judge(
    kb: OfficeKB, mention: TitleMention, person_id: str, office_id: str, day: datetime.date
) -> _Wrong | str | None:
    """A _Wrong, _CORRECT, or None when the knowledge base cannot tell."""
    office = kb.offices[office_id]
    covered_from = kb.covered_from(office_id)
    if covered_from is None or day < covered_from or office.verified_through is None:
        return None
    if day > office.verified_through:
        return None
    own = kb.terms_by_holder.get((person_id, office_id), [])
    for term in own:
        margin = BOUNDARY_DAYS + term.uncertainty_days
        if abs((day - term.start).days) <= margin or (term.end and abs((day - term.end).days) <= margin):
            return None
    holding = [t for t in own if t.covers(day)]
    earlier = [t for t in own if t.end and t.end < day]
    later = [t for t in own if t.start > day]
    holders = [t for t in kb.terms_by_office[office_id] if t.person_id != person_id and _clearly_covers(t, day)]
    strict = mention.qualified and mention.tight
    if mention.described_as == "former":
        if holding:
            current = holding[-1]
            previous = [t for t in earlier if t.end and t.end <= current.start]
            rating = OUTDATED if previous else INACCURATE
            return _Wrong("former_but_in_office", rating, office_id, current, None, previous[-1] if previous else None)
        if earlier:
            return _CORRECT
        if holders and strict:
            return _Wrong(_not_held_reason(later), INACCURATE, office_id, later[0] if later else None, holders[-1])
        return None
    if holding:
        return _CORRECT
    if not holders:
        return None
    if earlier:
        if office.reigns:
            return None
        return _Wrong("no_longer_in_office", OUTDATED, office_id, earlier[-1], holders[-1])
    if strict:
        return _Wrong(_not_held_reason(later), INACCURATE, office_id, later[0] if later else None, holders[-1])
    return None


def _not_held_reason(later: list[Term]) -> str:
    return "not_yet_in_office" if later else "never_held"


def _finding(
    kb: OfficeKB, mention: TitleMention, person_id: str, wrong: _Wrong, *, text: str, day: datetime.date
) -> CheckFinding:
    person = kb.people[person_id]
    office = kb.offices[wrong.office_id]
    # The term that proves the finding: whoever held the office on the day, else the person's own.
    evidence = wrong.holder_term or wrong.person_term
    holder = kb.people[evidence.person_id].name if evidence else None
    return CheckFinding(
        check=NAME,
        span_text=text[mention.start : mention.end],
        start=mention.start,
        end=mention.end,
        message=_message(wrong, person_name=person.name, office_label=office.label, holder=holder, day=day),
        suggested_rating=wrong.rating,
        corrected_text=_corrected_text(mention, wrong, text=text),
        data={
            "person": person.name,
            "person_id": person.person_id,
            "office": office.label,
            "office_id": office.office_id,
            "title_as_written": mention.title_text,
            "described_as": mention.described_as,
            "reason": wrong.reason,
            "published_at": day.isoformat(),
            "holder": holder if wrong.holder_term or wrong.reason == "former_but_in_office" else None,
            "holder_since": evidence.start.isoformat() if evidence else None,
            "person_terms": [t.as_dict() for t in kb.terms_by_holder.get((person_id, office.office_id), [])],
            "source_url": evidence.source_url if evidence else office.source_url,
            "verified_through": office.verified_through.isoformat() if office.verified_through else None,
        },
    )


def _message(wrong: _Wrong, *, person_name: str, office_label: str, holder: str | None, day: datetime.date) -> str:
    own = wrong.person_term
    since = wrong.holder_term.start if wrong.holder_term else None
    held_by = f"{holder} has held the office since {since}"
    held_then = f"on {day} the office was held by {holder} (since {since})"
    if wrong.reason == "former_but_in_office" and own is not None:
        if wrong.previous_term:
            return (
                f"{person_name} was not a former {office_label} on {day}: {person_name} has held the office "
                f"again since {own.start}, after an earlier term from {wrong.previous_term.start} "
                f"to {wrong.previous_term.end}."
            )
        return (
            f"{person_name} was not a former {office_label} on {day}: {person_name} has held the office "
            f"since {own.start} and had not held it before."
        )
    if wrong.reason == "no_longer_in_office" and own is not None:
        return f"{person_name} was no longer {office_label} on {day}: the term ended on {own.end}; {held_by}."
    if wrong.reason == "not_yet_in_office" and own is not None:
        return (
            f"{person_name} was not yet {office_label} on {day}: {person_name} took office on {own.start}; {held_then}."
        )
    return f"{person_name} has never been {office_label} according to the knowledge base; {held_then}."


def _corrected_text(mention: TitleMention, wrong: _Wrong, *, text: str) -> str | None:
    if (
        wrong.reason == "former_but_in_office"
        and mention.modifier_start is not None
        and mention.modifier_end is not None
    ):
        after = mention.modifier_end
        while after < len(text) and text[after] in " -\t":
            after += 1
        rest = text[after:]
        if text[mention.modifier_start].isupper():
            rest = rest[:1].upper() + rest[1:]
        return text[: mention.modifier_start] + rest
    if wrong.reason == "no_longer_in_office":
        at = mention.title_start
        # "Germany's new Chancellor Olaf Scholz" has no grammatical "former" version worth proposing.
        if set(text[mention.start : mention.end].lower().split()) & CURRENT_MODIFIERS:
            return None
        before = text[:at].rstrip()
        word = "Former " if not before or before.endswith((".", "!", "?", "“", '"')) else "former "
        return text[:at] + word + text[at:]
    return None
