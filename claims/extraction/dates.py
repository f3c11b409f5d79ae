"""Date mentions in a sentence, with spans and, where the text pins one down, an ISO value.

Rule-based so it runs on every sentence at no cost and behaves the same in every process. A
mention without a year ("Thursday, May 15") takes the year that puts it closest to the article's
publication date; a bare weekday or a vague phrase ("over a year") keeps its span with no value,
because guessing a date a reviewer then trusts is worse than leaving it blank.
"""

import datetime
import re
from dataclasses import dataclass

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
RELATIVE_DAYS = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}

_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)"
)
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20|21)\d\d)"
_PATTERNS = [
    # Thursday, May 15, 2025 / May 15 / Thursday, May 15
    re.compile(rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?"),
    # Thursday 15 May 2025 / 15 May
    re.compile(rf"\b(?:{_WEEKDAY},?\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR}\b)?"),
    # 2025-05-15
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month_number>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12]\d|3[01])\b"),
    # February 2022
    re.compile(rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b"),
    # in 2022, since 1991, by 2030: a year needs a preposition to be told apart from a count
    re.compile(
        rf"\b(?:in|since|by|until|from|of|before|after|during|through|to|early|late|mid-?)\s+(?P<span>{_YEAR})\b"
        r"(?![-–]?\d)(?!\s*(?:people|percent|per cent|%))",
        re.IGNORECASE,
    ),
    re.compile(rf"\b{_WEEKDAY}\b"),
    re.compile(r"\b(?P<relative>today|tonight|yesterday|tomorrow)\b", re.IGNORECASE),
]


@dataclass(frozen=True, slots=True)
class DateMention:
    """`text == sentence[start:end]`; `value` is ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD) or None."""

    text: str
    start: int
    end: int
    value: str | None


def find_dates(sentence: str, *, published_at: datetime.date | None) -> list[DateMention]:
    """Date mentions in `sentence`, longest first where they overlap, in reading order."""
    mentions: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(sentence):
            # Some patterns need context (the preposition before a bare year) outside the mention.
            start, end = match.span("span") if "span" in pattern.groupindex else match.span()
            if any(start < taken_end and taken_start < end for taken_start, taken_end in taken):
                continue
            value = _resolve(match.groupdict(), published_at=published_at)
            if value is _INVALID:
                continue
            taken.append((start, end))
            mentions.append(DateMention(text=sentence[start:end], start=start, end=end, value=value))
    return sorted(mentions, key=lambda mention: mention.start)


_INVALID = "invalid"


def _resolve(groups: dict[str, str | None], *, published_at: datetime.date | None) -> str | None:
    relative = groups.get("relative")
    if relative:
        if published_at is None:
            return None
        offset = RELATIVE_DAYS[relative.lower()]
        try:
            return (published_at + datetime.timedelta(days=offset)).isoformat()
        except OverflowError:
            # "tomorrow" of 31 December 9999 is past the calendar; the mention stays, unresolved.
            return None
    year_text, month_number, month_name, day_text = (
        groups.get(name) for name in ("year", "month_number", "month", "day")
    )
    year = int(year_text) if year_text else None
    if month_number:
        month: int | None = int(month_number)
    elif month_name:
        month = MONTHS[month_name.lower().rstrip(".")]
    else:
        month = None
    day = int(day_text) if day_text else None
    if month is None:
        return f"{year:04d}" if year is not None else None
    if day is None:
        return f"{year:04d}-{month:02d}" if year is not None else None
    if year is not None:
        try:
            return datetime.date(year, month, day).isoformat()
        except ValueError:
            return _INVALID
    if published_at is None:
        return None
    candidates = []
    for candidate_year in (published_at.year - 1, published_at.year, published_at.year + 1):
        try:
            candidates.append(datetime.date(candidate_year, month, day))
        except ValueError:
            continue
    if not candidates:
        return _INVALID
    return min(candidates, key=lambda candidate: abs((candidate - published_at).days)).isoformat()
