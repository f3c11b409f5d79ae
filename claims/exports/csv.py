"""CSV: one published claim per row. Evidence goes into aligned columns (the n-th URL has the n-th
stance), separated by " | ", so a spreadsheet keeps one row per claim."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from .records import Desk, PublishedClaimRecord, iso_datetime

CONTENT_TYPE = "text/csv; charset=utf-8"
FILE_EXTENSION = "csv"
EVIDENCE_SEPARATOR = " | "

COLUMNS = (
    "id",
    "url",
    "claim",
    "speaker",
    "rating",
    "rating_alternate_name",
    "rating_value",
    "explanation",
    "corrected_statement",
    "reviewer",
    "approver",
    "drafted_at",
    "approved_at",
    "published_at",
    "updated_at",
    "article_url",
    "article_title",
    "article_outlet",
    "article_published_at",
    "evidence_urls",
    "evidence_stances",
    "explainer_titles",
    "appearance_count",
    "appearance_urls",
)

# Spreadsheet programs run a cell starting with one of these as a formula; claims quote people, so
# a claim may well start with "=" or "-". Prefixing a quote keeps the text as text. Leading spaces
# do not stop some programs, so they are looked past.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A file opened in a spreadsheet whose locale separates cells with another character (";" in much
# of Europe, tab, "|") is split there, quotes or not: "Context;=1+1" becomes a cell "=1+1". So a
# formula character after any common separator gets the same quote prefix.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([,;|\t][ ]*)(?=[=+\-@])")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", text)
    if text.lstrip(" ").startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def row(record: PublishedClaimRecord) -> list[str]:
    values: list[object] = [
        record.claim_id,
        record.claim_url,
        record.text,
        record.speaker,
        record.rating_label,
        record.rating_alternate_name,
        record.rating_value,
        record.explanation,
        record.corrected_statement,
        record.reviewer,
        record.approver,
        iso_datetime(record.drafted_at),
        iso_datetime(record.approved_at),
        iso_datetime(record.published_at),
        iso_datetime(record.updated_at),
        record.article_url,
        record.article_title,
        record.article_outlet,
        iso_datetime(record.article_published_at),
        EVIDENCE_SEPARATOR.join(item.source_url for item in record.evidence),
        EVIDENCE_SEPARATOR.join(item.stance for item in record.evidence),
        EVIDENCE_SEPARATOR.join(item.title for item in record.explainers),
        len(record.appearances),
        EVIDENCE_SEPARATOR.join(item.url for item in record.appearances if item.url),
    ]
    return [_cell(value) for value in values]


def write(records: Iterable[PublishedClaimRecord], *, desk: Desk) -> Iterator[str]:
    buffer = io.StringIO()
    # Every cell quoted, so a reader that honours quotes never splits one at a separator inside it.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    for record in records:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row(record))
        yield buffer.getvalue()
