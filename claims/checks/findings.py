"""The value every check returns, and the rating labels checks may suggest."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from typing import Any

# Labels of the default rating scale (see fixtures); a check only ever suggests one of these.
OUTDATED = "Outdated"
INACCURATE = "Inaccurate"
MISLEADING = "Misleading"


@dataclass(frozen=True)
class CheckFinding:
    """Something a check found wrong in a claim, with the evidence a reviewer needs to confirm it.

    ``start``/``end`` are offsets in the claim text the check was given, and
    ``text[start:end] == span_text``. ``corrected_text`` is the whole claim text with
    the span corrected, or None when the check cannot say what the right wording is.
    """

    check: str
    span_text: str
    start: int
    end: int
    message: str
    suggested_rating: str
    corrected_text: str | None
    data: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def as_day(value: datetime.date | datetime.datetime | None) -> datetime.date | None:
    """Publication timestamps arrive as datetimes from the ORM; checks reason in calendar days."""
    if isinstance(value, datetime.datetime):
        return value.date()
    return value
