"""Convert a Wikidata-style "position held" extract into knowledge-base CSV files.

Accepted input: the SPARQL JSON results format, a JSON list of flat objects, JSON Lines, or
CSV, with one row per (person, position held, start, end). Column names follow what a query
such as ``SELECT ?person ?personLabel ?personAltLabel ?position ?positionLabel ?start ?end
?countryLabel`` returns; a few common spellings are accepted (see ``FIELD_NAMES``).
"""

from __future__ import annotations

import csv
import datetime
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from claims.checks.office_kb import OfficeKB
from claims.checks.text import fold_ascii, normalise_phrase

FIELD_NAMES = {
    "person_url": ("person", "item", "personItem", "person_url"),
    "person_label": ("personLabel", "person_label", "name"),
    "aliases": ("personAltLabel", "aliases", "person_aliases"),
    "position_url": ("position", "positionItem", "position_url"),
    "position_label": ("positionLabel", "position_label", "office"),
    "start": ("start", "startTime", "start_time"),
    "end": ("end", "endTime", "end_time"),
    "start_precision": ("startPrecision", "start_precision"),
    "end_precision": ("endPrecision", "end_precision"),
    "country_label": ("countryLabel", "country_label", "country"),
    "source_url": ("reference", "referenceURL", "source_url"),
}
# Wikidata time precision: 11 = day, 10 = month, 9 = year. A coarse date widens the silent window.
PRECISION_UNCERTAINTY_DAYS = {11: 0, 10: 31, 9: 366}
GENERIC_ROLES = ("President", "Prime Minister", "Chancellor", "Premier", "King", "Queen", "Emperor")
# A term left open in the extract although someone else later took the office is closed at
# the successor's start, with this much uncertainty: the real end date is not in the data.
CLOSED_BY_SUCCESSOR_UNCERTAINTY_DAYS = 30


class ExtractError(ValueError):
    """The extract cannot be read; the message says where."""


@dataclass
class ConvertedExtract:
    countries: dict[str, dict[str, str]] = field(default_factory=dict)
    offices: dict[str, dict[str, str]] = field(default_factory=dict)
    people: dict[str, dict[str, str]] = field(default_factory=dict)
    terms: list[dict[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_extract_rows(path: str | Path) -> list[dict[str, str]]:
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".csv":
        return [dict(row) for row in csv.DictReader(text.splitlines())]
    stripped = text.lstrip()
    if stripped.startswith("{") and "\n{" in stripped.strip():
        return [_flatten(json.loads(line)) for line in text.splitlines() if line.strip()]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExtractError(f"{path}: not JSON, JSON Lines or CSV ({error})") from error
    if isinstance(data, dict) and "results" in data:
        return [_flatten(binding) for binding in data["results"].get("bindings", [])]
    if isinstance(data, list):
        return [_flatten(row) for row in data]
    raise ExtractError(f"{path}: expected SPARQL results or a list of rows")


def _flatten(row: dict[str, object]) -> dict[str, str]:
    # SPARQL JSON wraps every value as {"type": ..., "value": ...}.
    flat = {}
    for key, raw in row.items():
        value = raw
        if isinstance(raw, dict):
            value = raw.get("value", "")
        elif isinstance(raw, list):
            value = "|".join(str(v) for v in raw)
        flat[key] = "" if value is None else str(value)
    return flat


def _field(row: dict[str, str], name: str) -> str:
    for key in FIELD_NAMES[name]:
        if row.get(key):
            return row[key].strip()
    return ""


def _wikidata_date(value: str) -> datetime.date | None:
    match = re.match(r"^\+?(\d{4})-(\d{2})-(\d{2})", value.strip())
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    # Year- or month-precision values are written with 00 or 01 for the missing parts.
    return datetime.date(year, max(month, 1), max(day, 1))


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold_ascii(value).lower()).strip("-")


def convert_extract(rows: list[dict[str, str]], *, as_of: datetime.date, known: OfficeKB) -> ConvertedExtract:
    """Turn extract rows into knowledge-base rows; ``known`` supplies country names and ids to reuse."""
    result = ConvertedExtract()
    people_by_url: dict[str, str] = {}
    seen_terms: set[tuple[str, str, datetime.date]] = set()
    for number, row in enumerate(rows, start=1):
        person_label = _field(row, "person_label")
        position_label = _field(row, "position_label")
        start = _wikidata_date(_field(row, "start"))
        if not person_label or not position_label or start is None:
            result.skipped.append(f"row {number}: needs a person label, a position label and a start date")
            continue
        person_id = _person_id(result, people_by_url, row, person_label)
        office_id = _office(result, known, position_label, _field(row, "country_label"), _field(row, "position_url"))
        end = _wikidata_date(_field(row, "end"))
        if end is not None and end < start:
            result.skipped.append(f"row {number}: {person_label} ends before starting")
            continue
        if (person_id, office_id, start) in seen_terms:
            continue
        seen_terms.add((person_id, office_id, start))
        uncertainty = max(
            _precision_days(_field(row, "start_precision")), _precision_days(_field(row, "end_precision"))
        )
        result.terms.append(
            {
                "person_id": person_id,
                "office_id": office_id,
                "start": start.isoformat(),
                "end": end.isoformat() if end else "",
                "uncertainty_days": str(uncertainty),
                "source_url": _field(row, "source_url") or _field(row, "person_url"),
                "note": "",
            }
        )
    _close_open_terms(result)
    for office in result.offices.values():
        starts = [t["start"] for t in result.terms if t["office_id"] == office["office_id"]]
        office["covered_from"] = min(starts) if starts else ""
        office["verified_through"] = as_of.isoformat()
    return result


def _precision_days(value: str) -> int:
    if not value:
        return 0
    try:
        return PRECISION_UNCERTAINTY_DAYS.get(int(value), 366)
    except ValueError:
        return 366


def _person_id(result: ConvertedExtract, people_by_url: dict[str, str], row: dict[str, str], label: str) -> str:
    url = _field(row, "person_url")
    if url and url in people_by_url:
        person_id = people_by_url[url]
    else:
        person_id = slug(label)
        taken = result.people.get(person_id)
        if taken and url and taken["wikidata_url"] and taken["wikidata_url"] != url:
            person_id = f"{person_id}-{url.rstrip('/').rsplit('/', 1)[-1].lower()}"
        if url:
            people_by_url[url] = person_id
    person = result.people.setdefault(
        person_id, {"person_id": person_id, "name": label, "aliases": "", "wikidata_url": url}
    )
    aliases = [a.strip() for a in re.split(r"[|,]", _field(row, "aliases")) if a.strip()]
    known_aliases = [a for a in person["aliases"].split("|") if a]
    person["aliases"] = "|".join(dict.fromkeys(known_aliases + aliases))
    return person_id


def _office(result: ConvertedExtract, known: OfficeKB, label: str, country_label: str, url: str) -> str:
    office_id = slug(label)
    if office_id in result.offices:
        return office_id
    country = _country_code(result, known, country_label, label)
    role = ""
    titles = label
    match = re.match(r"^(?P<role>.+?) of (?:the )?(?P<place>.+)$", label)
    if match and country:
        role = match.group("role")
    generic = role if role in GENERIC_ROLES else ""
    result.offices[office_id] = {
        "office_id": office_id,
        "label": label,
        "country": country,
        "kind": "",
        "roles": role,
        "generic_roles": generic,
        "titles": titles,
        "covered_from": "",
        "verified_through": "",
        "source_url": url,
    }
    return office_id


def _country_code(result: ConvertedExtract, known: OfficeKB, country_label: str, position_label: str) -> str:
    if country_label.startswith(("http://", "https://")):
        country_label = ""
    candidates = [country_label] if country_label else []
    match = re.search(r" of (?:the )?(.+)$", position_label)
    if match:
        candidates.append(match.group(1))
    for candidate in candidates:
        code = known.country_by_name.get(normalise_phrase(candidate))
        if code:
            return code
    if not country_label:
        return ""
    code = slug(country_label).upper()
    result.countries.setdefault(code, {"country": code, "names": country_label, "adjectives": ""})
    return code


def _close_open_terms(result: ConvertedExtract) -> None:
    by_office: dict[str, list[dict[str, str]]] = defaultdict(list)
    for term in result.terms:
        by_office[term["office_id"]].append(term)
    for terms in by_office.values():
        terms.sort(key=lambda t: t["start"])
        for earlier, later in zip(terms, terms[1:], strict=False):
            if not earlier["end"] and later["person_id"] != earlier["person_id"]:
                earlier["end"] = later["start"]
                earlier["uncertainty_days"] = str(
                    max(int(earlier["uncertainty_days"]), CLOSED_BY_SUCCESSOR_UNCERTAINTY_DAYS)
                )
                earlier["note"] = "end date missing in the extract; closed at the successor's start"


def write_kb_directory(extract: ConvertedExtract, output: str | Path) -> list[Path]:
    """Write countries/offices/people/terms CSV files into ``output`` (created if needed)."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    tables = {
        "countries.csv": (["country", "names", "adjectives"], list(extract.countries.values())),
        "offices.csv": (
            ["office_id", "label", "country", "kind", "roles", "generic_roles", "titles"]
            + ["covered_from", "verified_through", "source_url"],
            list(extract.offices.values()),
        ),
        "people.csv": (["person_id", "name", "aliases", "wikidata_url"], list(extract.people.values())),
        "terms.csv": (
            ["person_id", "office_id", "start", "end", "uncertainty_days", "source_url", "note"],
            extract.terms,
        ),
    }
    written = []
    for name, (columns, rows) in tables.items():
        if name == "countries.csv" and not rows:
            continue
        path = output / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written
