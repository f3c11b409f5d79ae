"""timeline: a sentence that orders two events against the article's own timeline.

"Putin's suggestion was a direct response to Zelensky's offer" in an article that opened with
Zelensky's offer "following a proposal by the Kremlin" (Putin's proposal of Sunday, May 11), or
"the audit was published in response to the minister's resignation" when the article dates the
audit two days before the resignation.

Each side of the order phrase is matched to the article's dated events (same verb or its
nominalisation, overlapping participants). The check speaks when both sides have one date each and
the dates run the other way; when a side has no date, when an earlier sentence of the article puts
the same two events in the opposite order. It stays silent when a side matches no event or events
on different dates, when the dates are equal, and when the sentence hedges (a modal, a negation, a
condition).
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from typing import Any

from claims.checks.findings import MISLEADING, CheckFinding, as_day
from claims.checks.timeline_events import (
    EventMention,
    OrderStatement,
    Timeline,
    any_related,
    build_timeline,
    may_order_events,
)

NAME = "timeline"


def check(
    *,
    text: str,
    published_at: datetime.date | None,
    context: str | None = None,
) -> list[CheckFinding]:
    if not may_order_events(text):
        return []
    day = as_day(published_at)
    article = context if context and text in context else text
    claim_offset = article.find(text)
    timeline = _timeline(article, day)
    findings = []
    for position, statement in enumerate(timeline.statements):
        if not claim_offset <= statement.start < statement.end <= claim_offset + len(text):
            continue
        finding = _judge(statement, timeline=timeline, earlier_statements=timeline.statements[:position])
        if finding is None:
            continue
        start = statement.start - claim_offset
        findings.append(
            CheckFinding(
                check=NAME,
                span_text=text[start : start + len(statement.text)],
                start=start,
                end=start + len(statement.text),
                message=finding[0],
                suggested_rating=MISLEADING,
                corrected_text=None,
                data=finding[1],
            )
        )
    return findings


@lru_cache(maxsize=32)
def _timeline(article: str, published_at: datetime.date | None) -> Timeline:
    # Every claim of an article is checked against the same timeline: build it once.
    return build_timeline(article, published_at)


def clear_cache() -> None:
    _timeline.cache_clear()


def _compatible(mention: EventMention, event: EventMention, *, weak: bool = False) -> bool:
    keys = event.weak_keys if weak else event.keys
    if not any_related(mention.keys, keys):
        return False
    if mention.participants and event.participants:
        return bool(mention.participants & event.participants)
    return True


def _dated(mention: EventMention, timeline: Timeline) -> EventMention | None:
    """The one dated event the mention names, or None when it names none or several dates."""
    if mention.date is not None:
        return mention
    for weak in (False, True):
        matches = [event for event in timeline.events if _compatible(mention, event, weak=weak)]
        if matches:
            dates = {event.date for event in matches}
            return matches[0] if len(dates) == 1 else None
    return None


def _same_event(left: EventMention, right: EventMention, timeline: Timeline) -> bool:
    if not _compatible(left, right) and not _compatible(right, left):
        return False
    left_dated, right_dated = _dated(left, timeline), _dated(right, timeline)
    if left_dated is not None and right_dated is not None:
        return left_dated.date == right_dated.date
    return True


def _day(event: EventMention) -> str:
    return f"{event.date:%A, %B} {event.date.day}, {event.date.year}"  # type: ignore[union-attr]


def _name(mention: EventMention) -> str:
    return mention.phrase or mention.text


def _capitalised(value: str) -> str:
    return value[:1].upper() + value[1:]


def _head_word(mention: EventMention) -> str:
    return mention.text.split()[-1] if mention.text else "event"


def _claimed_order(statement: OrderStatement) -> str:
    """What the sentence asserts, in words a reader recognises."""
    later, earlier = _name(statement.later), _name(statement.earlier)
    if statement.causal:
        return f"{_capitalised(later)} cannot be a response to {earlier}"
    if statement.reversed_order:
        return f"{_capitalised(earlier)} did not come before {later}"
    return f"{_capitalised(later)} did not come after {earlier}"


def _judge(
    statement: OrderStatement, *, timeline: Timeline, earlier_statements: list[OrderStatement]
) -> tuple[str, dict[str, Any]] | None:
    if statement.hedged:
        return None
    later, earlier = statement.later, statement.earlier
    if _compatible(later, earlier) or _compatible(earlier, later):
        return None
    later_event, earlier_event = _dated(later, timeline), _dated(earlier, timeline)
    if later_event is not None and earlier_event is not None:
        if later_event.date >= earlier_event.date:  # type: ignore[operator]
            return None
        gap = (earlier_event.date - later_event.date).days  # type: ignore[operator]
        message = (
            f"{_claimed_order(statement)}: the article itself dates {_name(later)} to {_day(later_event)} "
            f"and {_name(earlier)} to {_day(earlier_event)}, {gap} day{'s' if gap != 1 else ''} later. "
            f"The sentence reverses the article's own order of events."
        )
        return message, {
            "later": _event_data(later, later_event),
            "earlier": _event_data(earlier, earlier_event),
            "basis": "dates",
        }
    for other in earlier_statements:
        if other.hedged or other.sentence == statement.sentence:
            continue
        if _same_event(other.later, earlier, timeline) and _same_event(other.earlier, later, timeline):
            dated = later_event or _dated(other.earlier, timeline)
            dated_words = ""
            if dated is not None and dated.date is not None:
                dated_words = f', the {_head_word(other.earlier)} it dates to {_day(dated)} ("{dated.phrase}")'
            message = (
                f"{_claimed_order(statement)}: earlier, the article places {_name(earlier)} "
                f'"{other.phrase or other.text}"{dated_words}. The article reverses its own order of events.'
            )
            return message, {
                "later": _event_data(later, later_event),
                "earlier": _event_data(earlier, earlier_event),
                "basis": "earlier_sentence",
                "earlier_sentence_span": other.phrase or other.text,
            }
    return None


def _event_data(mention: EventMention, dated: EventMention | None) -> dict[str, Any]:
    return {
        "text": mention.text,
        "date": dated.date.isoformat() if dated is not None and dated.date else None,
        "date_text": dated.date_text if dated is not None else "",
        "dated_by": dated.phrase if dated is not None else "",
    }
