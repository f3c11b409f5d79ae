"""Reading other organisations' fact-checks from the formats real feeds use (no database here).

- ClaimReview JSON-LD as published on fact-check pages: one object, a list, or an ``@graph``; from a
  JSON document or from the ``<script type="application/ld+json">`` blocks of an HTML page.
- The Google Fact Check Tools API ``claims:search`` response (``{"claims": [...]}``), or its
  ``Claim`` objects one per line: one record per ``claimReview``.
- JSON Lines of flat records (``claim``, ``claimant``, ``claim_date``, ``rating``, ``publisher``,
  ``publisher_site``, ``review_date``, ``url``, ``title``, ``language``); a line may also hold a
  ClaimReview object or an API ``Claim``.

Every record that cannot be read is refused on its own, with where it was (line or item number),
and the others are read on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from ..jsonl import read_json_lines

FORMATS = ("auto", "jsonl", "json", "html")
MAX_CLAIM_CHARS = 10_000


class RecordError(ValueError):
    """A record that cannot be imported, and why."""


@dataclass(frozen=True)
class FactCheckRecord:
    url: str
    claim_text: str
    publisher: str = ""
    publisher_site: str = ""
    claimant: str = ""
    claim_date: dt.date | None = None
    title: str = ""
    rating_text: str = ""
    rating_value: float | None = None
    reviewed_at: dt.date | None = None
    language: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedRecord:
    """One record read from an input, or why it could not be: ``where`` says which ("line 12", "item 3")."""

    where: str
    record: FactCheckRecord | None = None
    error: str | None = None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("@value") or value.get("url") or "")
    if isinstance(value, list):
        return _text(value[0]) if value else ""
    return " ".join(str(value).split())


def _date(value: object, *, name: str) -> dt.date | None:
    text = _text(value)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise RecordError(f"{name} is not a date (YYYY-MM-DD…): {text[:40]!r}") from None


def _number(value: object, *, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RecordError(f"{name} is not a number: {str(value)[:40]!r}") from None


def _record(**fields: Any) -> FactCheckRecord:
    url = _text(fields.get("url"))
    if not url.startswith(("http://", "https://")):
        raise RecordError(f"a fact-check needs an http(s) URL (got {url[:80]!r})")
    claim_text = _text(fields.get("claim_text")) or _text(fields.get("title"))
    if not claim_text:
        raise RecordError("a fact-check needs the claim it reviewed (or at least a headline)")
    if len(claim_text) > MAX_CLAIM_CHARS:
        raise RecordError(f"the claim is longer than {MAX_CLAIM_CHARS} characters")
    return FactCheckRecord(
        url=url[:2000],
        claim_text=claim_text,
        publisher=_text(fields.get("publisher"))[:200],
        publisher_site=_text(fields.get("publisher_site"))[:200],
        claimant=_text(fields.get("claimant"))[:300],
        claim_date=fields.get("claim_date"),
        title=_text(fields.get("title"))[:500],
        rating_text=_text(fields.get("rating_text"))[:500],
        rating_value=fields.get("rating_value"),
        reviewed_at=fields.get("reviewed_at"),
        language=_text(fields.get("language"))[:16].lower(),
        raw=fields.get("raw") or {},
    )


# --- ClaimReview JSON-LD --------------------------------------------------------------------------


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type") or node.get("type") or []
    values = value if isinstance(value, list) else [value]
    return {str(item).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for item in values}


def claimreview_nodes(document: object) -> Iterator[dict[str, Any]]:
    """Every ClaimReview object in a JSON-LD document: a single object, a list, an ``@graph``, or
    nested (a WebPage whose ``mainEntity`` or ``review`` is the ClaimReview)."""
    if isinstance(document, list):
        for item in document:
            yield from claimreview_nodes(item)
        return
    if not isinstance(document, dict):
        return
    if "ClaimReview" in _types(document):
        yield document
        return
    for key in ("@graph", "mainEntity", "review", "hasPart"):
        if key in document:
            yield from claimreview_nodes(document[key])


def record_from_claimreview(node: dict[str, Any], language: str = "") -> FactCheckRecord:
    author = node.get("author") or {}
    if isinstance(author, list):
        author = author[0] if author else {}
    item = node.get("itemReviewed") or {}
    if isinstance(item, list):
        item = item[0] if item else {}
    rating = node.get("reviewRating") or {}
    if isinstance(rating, list):
        rating = rating[0] if rating else {}
    if not isinstance(item, dict):
        item = {}
    if not isinstance(rating, dict):
        rating = {}
    claimant = item.get("author") or {}
    site = author.get("url", "") if isinstance(author, dict) else ""
    return _record(
        url=node.get("url") or node.get("@id"),
        claim_text=node.get("claimReviewed") or item.get("text") or item.get("name"),
        publisher=author,
        publisher_site=_site(site),
        claimant=claimant,
        claim_date=_date(item.get("datePublished"), name="itemReviewed.datePublished"),
        title=node.get("headline") or node.get("name"),
        rating_text=rating.get("alternateName") or rating.get("name"),
        rating_value=_number(rating.get("ratingValue"), name="reviewRating.ratingValue"),
        reviewed_at=_date(node.get("datePublished"), name="datePublished"),
        language=_text(node.get("inLanguage")) or language,
        raw=node,
    )


def _site(url: str) -> str:
    url = _text(url)
    if "://" in url:
        url = url.split("://", 1)[1]
    return url.split("/", 1)[0].removeprefix("www.")


class _JsonLdScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.language = ""
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        if tag == "html" and values.get("lang"):
            self.language = values["lang"].split("-")[0].lower()
        if tag == "script" and values.get("type", "").split(";")[0].strip().lower() == "application/ld+json":
            self._inside = True
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[-1] += data


def parse_html(html: str) -> Iterator[ParsedRecord]:
    """The ClaimReview objects in a fact-check page's JSON-LD blocks; the page's ``lang`` stands in
    for a missing ``inLanguage``."""
    scripts = _JsonLdScripts()
    scripts.feed(html)
    item = 0
    for number, block in enumerate(scripts.blocks, start=1):
        try:
            document = json.loads(block)
        except json.JSONDecodeError as error:
            yield ParsedRecord(where=f"JSON-LD block {number}", error=f"not JSON ({error.msg})")
            continue
        for node in claimreview_nodes(document):
            item += 1
            yield _parsed(f"JSON-LD block {number}, item {item}", record_from_claimreview, node, scripts.language)


# --- Google Fact Check Tools API ------------------------------------------------------------------


def records_from_api_claim(claim: dict[str, Any]) -> list[FactCheckRecord]:
    """One record per review of an API ``Claim`` ({text, claimant, claimDate, claimReview: [...]})."""
    reviews = claim.get("claimReview")
    if not isinstance(reviews, list) or not reviews:
        raise RecordError("an API claim needs a non-empty claimReview list")
    claim_date = _date(claim.get("claimDate"), name="claimDate")
    records = []
    for review in reviews:
        if not isinstance(review, dict):
            raise RecordError("each claimReview must be an object")
        publisher = review.get("publisher") or {}
        if not isinstance(publisher, dict):
            publisher = {"name": publisher}
        records.append(
            _record(
                url=review.get("url"),
                claim_text=claim.get("text"),
                publisher=publisher.get("name") or publisher.get("site"),
                publisher_site=publisher.get("site"),
                claimant=claim.get("claimant"),
                claim_date=claim_date,
                title=review.get("title"),
                rating_text=review.get("textualRating"),
                reviewed_at=_date(review.get("reviewDate"), name="reviewDate"),
                language=review.get("languageCode"),
                raw={key: value for key, value in claim.items() if key != "claimReview"} | {"claimReview": [review]},
            )
        )
    return records


# --- flat records ---------------------------------------------------------------------------------


def record_from_flat(row: dict[str, Any]) -> FactCheckRecord:
    return _record(
        url=row.get("url"),
        claim_text=row.get("claim") or row.get("claim_text") or row.get("claimReviewed"),
        publisher=row.get("publisher") or row.get("publisher_site"),
        publisher_site=row.get("publisher_site"),
        claimant=row.get("claimant"),
        claim_date=_date(row.get("claim_date"), name="claim_date"),
        title=row.get("title"),
        rating_text=row.get("rating") or row.get("rating_text"),
        rating_value=_number(row.get("rating_value"), name="rating_value"),
        reviewed_at=_date(row.get("review_date") or row.get("reviewed_at"), name="review_date"),
        language=row.get("language"),
        raw=row,
    )


def records_from_object(obj: dict[str, Any]) -> list[FactCheckRecord]:
    """Whatever one JSON object holds: ClaimReview JSON-LD, an API claim, or a flat record."""
    if "claimReview" in obj:
        return records_from_api_claim(obj)
    if "@type" in obj or "@graph" in obj or "@context" in obj:
        nodes = list(claimreview_nodes(obj))
        if not nodes:
            raise RecordError("no ClaimReview in this JSON-LD object")
        return [record_from_claimreview(node) for node in nodes]
    return [record_from_flat(obj)]


def _parsed(where: str, reader, *args: Any) -> ParsedRecord:  # type: ignore[no-untyped-def]
    try:
        return ParsedRecord(where=where, record=reader(*args))
    except RecordError as error:
        return ParsedRecord(where=where, error=str(error))


def _from_object(where: str, obj: dict[str, Any]) -> Iterator[ParsedRecord]:
    try:
        records = records_from_object(obj)
    except RecordError as error:
        yield ParsedRecord(where=where, error=str(error))
        return
    for record in records:
        yield ParsedRecord(where=where, record=record)


def parse_json_lines(lines: Iterable[str | bytes]) -> Iterator[ParsedRecord]:
    for line in read_json_lines(lines):
        where = f"line {line.number}"
        if line.error is not None or line.row is None:
            yield ParsedRecord(where=where, error=line.error)
            continue
        yield from _from_object(where, line.row)


def parse_json_document(document: object) -> Iterator[ParsedRecord]:
    """A whole JSON document: an API response, JSON-LD (object, list, ``@graph``) or a list of records."""
    if isinstance(document, dict) and isinstance(document.get("claims"), list):
        items: list[object] = document["claims"]
    elif isinstance(document, dict) and ("@graph" in document or "ClaimReview" in _types(document)):
        items = list(claimreview_nodes(document))
    elif isinstance(document, list):
        items = document
    elif isinstance(document, dict):
        items = [document]
    else:
        yield ParsedRecord(where="document", error="expected a JSON object or list")
        return
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            yield ParsedRecord(where=f"item {number}", error="expected a JSON object")
            continue
        yield from _from_object(f"item {number}", item)


def parse_text(text: str, *, format: str = "auto", name: str = "") -> Iterator[ParsedRecord]:
    """Read fact-checks from the text of a file or upload. ``auto`` decides by the name's extension,
    then by the first character: ``<`` is HTML, a JSON document that parses whole is JSON, else JSON Lines."""
    if format not in FORMATS:
        raise ValueError(f"Unknown format {format!r}; expected one of {FORMATS}.")
    if format == "auto":
        lowered = name.lower()
        stripped = text.lstrip()
        if lowered.endswith((".html", ".htm")) or stripped.startswith("<"):
            format = "html"
        elif lowered.endswith(".jsonl"):
            format = "jsonl"
        else:
            try:
                document = json.loads(text)
            except json.JSONDecodeError:
                format = "jsonl"
            else:
                yield from parse_json_document(document)
                return
    if format == "html":
        yield from parse_html(text)
    elif format == "jsonl":
        yield from parse_json_lines(text.splitlines())
    else:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            yield ParsedRecord(where=f"line {error.lineno}", error=f"not JSON ({error.msg})")
            return
        yield from parse_json_document(document)
