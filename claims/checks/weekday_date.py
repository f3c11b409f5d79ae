"""weekday_date: "Thursday, May 15" must fall on a Thursday in the year meant.

The year is the one written with the date; else one the sentence mentions; else the
occurrence of that day nearest the publication date. When the year stays open (a date far
from the publication date, several years mentioned), the check reports only a weekday that
is wrong in every year that could be meant.
"""

from __future__ import annotations

import datetime
import re

from claims.checks.findings import INACCURATE, CheckFinding, as_day
from claims.checks.text import YEAR_RE

NAME = "weekday_date"

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_ABBREVIATIONS = {
    "Mon": 0, "Tue": 1, "Tues": 1, "Wed": 2, "Thu": 3, "Thur": 3, "Thurs": 3, "Fri": 4, "Sat": 5, "Sun": 6,
}  # fmt: skip
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip
_MONTH_ABBREVIATIONS = {
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Sept": 9, "Oct": 10,
    "Nov": 11, "Dec": 12,
}  # fmt: skip

# A date far from publication may belong to the previous or the next year.
NEAREST_YEAR_WINDOW_DAYS = 200

# Abbreviated weekdays count only with their full stop: "Sat", "Wed" and "Sun" are also words.
_WEEKDAY = r"(?P<weekday>" + "|".join(WEEKDAYS) + r"|(?:Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun)\.)"
_MONTH = r"(?P<month>" + "|".join(MONTHS) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d{2})(?!\d)(?![.,]\d))?"
_JOIN = r",?\s+(?:(?P<paren>\()\s*)?(?:the\s+)?"
_CLOSE = r"(?(paren)\s*\))"
DATE_PATTERNS = (
    re.compile(rf"\b{_WEEKDAY}{_JOIN}{_MONTH}\s+{_DAY}{_YEAR}{_CLOSE}"),
    re.compile(rf"\b{_WEEKDAY}{_JOIN}{_DAY}(?:\s+of)?\s+{_MONTH}(?![a-z]){_YEAR}{_CLOSE}"),
)
# "Thursday, May 15-16" or "Friday, May 16 and 17" name a range, not one day.
_RANGE_AFTER = re.compile(r"\s*(?:-|–|—|to|through|thru|and|&|or)\s*\d")
_RANGE_BEFORE = re.compile(
    r"\b(?:" + "|".join(WEEKDAYS) + r")\s*(?:-|–|—|to|through|thru|and|&|or)\s*\Z", re.IGNORECASE
)


def check(
    *,
    text: str,
    published_at: datetime.date | None,
    context: str | None = None,
) -> list[CheckFinding]:
    day = as_day(published_at)
    findings = []
    seen: set[int] = set()
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            if match.start() in seen:
                continue
            seen.add(match.start())
            finding = _judge(match, text=text, published_on=day, context=context)
            if finding is not None:
                findings.append(finding)
    return sorted(findings, key=lambda f: f.start)


def _weekday_index(written: str) -> int:
    if written in WEEKDAYS:
        return WEEKDAYS.index(written)
    return _WEEKDAY_ABBREVIATIONS[written.rstrip(".")]


def _month_index(written: str) -> int:
    if written in MONTHS:
        return MONTHS.index(written) + 1
    return _MONTH_ABBREVIATIONS[written.rstrip(".")]


def _judge(
    match: re.Match[str], *, text: str, published_on: datetime.date | None, context: str | None
) -> CheckFinding | None:
    if _RANGE_AFTER.match(text, match.end()) or _RANGE_BEFORE.search(text, 0, match.start()):
        return None
    month = _month_index(match.group("month"))
    day_of_month = int(match.group("day"))
    written_weekday = _weekday_index(match.group("weekday"))
    candidates, reported_year, basis = _candidate_years(
        match, text=text, month=month, day_of_month=day_of_month, published_on=published_on, context=context
    )
    dates = [d for d in (_date(y, month, day_of_month) for y in candidates) if d is not None]
    if not dates or any(d.weekday() == written_weekday for d in dates):
        return None
    meant = _date(reported_year, month, day_of_month) if reported_year else None
    meant = meant or dates[0]
    actual = WEEKDAYS[meant.weekday()]
    written = match.group("weekday")
    tense = "was" if published_on is not None and meant <= published_on else "is"
    correction = _weekday_as_written(actual, written)
    return CheckFinding(
        check=NAME,
        span_text=match.group(0),
        start=match.start(),
        end=match.end(),
        message=(
            f"{MONTHS[meant.month - 1]} {meant.day}, {meant.year} {tense} a {actual}, "
            f"not a {WEEKDAYS[written_weekday]}."
        ),
        suggested_rating=INACCURATE,
        corrected_text=text[: match.start("weekday")] + correction + text[match.end("weekday") :],
        data={
            "date": meant.isoformat(),
            "weekday_as_written": WEEKDAYS[written_weekday],
            "weekday": actual,
            "year_basis": basis,
            "published_at": published_on.isoformat() if published_on else None,
        },
    )


def _candidate_years(
    match: re.Match[str],
    *,
    text: str,
    month: int,
    day_of_month: int,
    published_on: datetime.date | None,
    context: str | None,
) -> tuple[list[int], int | None, str]:
    if match.group("year"):
        year = int(match.group("year"))
        return [year], year, "stated"
    text_years = sorted(
        {int(m.group(0)) for m in YEAR_RE.finditer(text) if not match.start() <= m.start() < match.end()}
    )
    if published_on is not None:
        near = _nearby_occurrences(month, day_of_month, published_on)
        if not near and not text_years:
            return [], None, "publication_date"
        if len(text_years) == 1:
            return [*text_years, *near], text_years[0], "text"
        return [*near, *text_years], near[0] if near else None, "publication_date"
    if len(text_years) == 1:
        return text_years, text_years[0], "text"
    if not text_years and context:
        context_years = sorted(set(int(m.group(0)) for m in YEAR_RE.finditer(context)))
        if len(context_years) == 1:
            return context_years, context_years[0], "context"
    return [], None, "unknown"


def _nearby_occurrences(month: int, day_of_month: int, published_on: datetime.date) -> list[int]:
    """Years whose (month, day) lies within the window around publication, nearest first."""
    occurrences = []
    for year in (published_on.year - 1, published_on.year, published_on.year + 1):
        candidate = _date(year, month, day_of_month)
        if candidate is not None:
            distance = abs((candidate - published_on).days)
            if distance <= NEAREST_YEAR_WINDOW_DAYS:
                occurrences.append((distance, year))
    return [year for _distance, year in sorted(occurrences)]


def _date(year: int, month: int, day_of_month: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day_of_month)
    except ValueError:
        return None


def _weekday_as_written(actual: str, written: str) -> str:
    if written in WEEKDAYS:
        return actual
    abbreviation = {"Tue": "Tue", "Thu": "Thu"}.get(actual[:3], actual[:3])
    return abbreviation + "."
