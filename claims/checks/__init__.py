"""Automatic checks: each reads a claim (and its article's publication date) and returns findings.

A check is one module with a ``check(*, text, published_at, context)`` function; registering it
in ``CHECKS`` is all it takes for ``run_checks`` (and so the pipeline) to run it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from claims.checks import role_in_office, timeline, weekday_date
from claims.checks.findings import INACCURATE, MISLEADING, OUTDATED, CheckFinding
from claims.checks.office_kb import OfficeKB, load_office_kb

Check = Callable[..., list[CheckFinding]]

CHECKS: dict[str, Check] = {
    role_in_office.NAME: role_in_office.check,
    weekday_date.NAME: weekday_date.check,
    timeline.NAME: timeline.check,
}


def run_checks(
    *,
    text: str,
    published_at: datetime.date | None,
    context: str | None = None,
) -> list[CheckFinding]:
    """All findings for one claim, in text order. ``context`` is the surrounding article text."""
    findings: list[CheckFinding] = []
    for check in CHECKS.values():
        findings.extend(check(text=text, published_at=published_at, context=context))
    return sorted(findings, key=lambda finding: (finding.start, finding.check))


__all__ = [
    "CHECKS",
    "INACCURATE",
    "MISLEADING",
    "OUTDATED",
    "CheckFinding",
    "OfficeKB",
    "load_office_kb",
    "run_checks",
]
