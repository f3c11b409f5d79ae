"""The office-holder knowledge base: who held which office, from when to when, and how text names them.

The data are CSV files (see ``fixtures/offices/README.md``). Each file says what it holds by
its header, so a desk can add an imported extract next to the fixtures without renaming
anything: countries (``country,names,adjectives``), offices (``office_id,label,...``),
people (``person_id,name,...``) and terms (``person_id,office_id,start,end,...``).
"""

from __future__ import annotations

import csv
import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from claims.checks.text import fold_ascii, normalise_phrase

DEFAULT_KB_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "offices"


class OfficeKBError(ValueError):
    """A knowledge-base file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Country:
    code: str
    names: tuple[str, ...]
    adjectives: tuple[str, ...]


@dataclass(frozen=True)
class Office:
    office_id: str
    label: str
    country: str
    kind: str
    roles: tuple[str, ...]
    generic_roles: tuple[str, ...]
    titles: tuple[str, ...]
    covered_from: datetime.date | None
    verified_through: datetime.date | None
    source_url: str

    @property
    def reigns(self) -> bool:
        # Monarchs keep their regnal names in historical copy ("Queen Elizabeth knighted him"),
        # so a current title after the reign ended is not evidence of an error.
        return self.kind == "monarch"


@dataclass(frozen=True)
class Person:
    person_id: str
    name: str
    aliases: tuple[str, ...]
    wikidata_url: str = ""


@dataclass(frozen=True)
class Term:
    person_id: str
    office_id: str
    start: datetime.date
    end: datetime.date | None
    uncertainty_days: int
    source_url: str
    note: str = ""

    def covers(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def as_dict(self) -> dict[str, str | None]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat() if self.end else None}


@dataclass
class OfficeKB:
    countries: dict[str, Country] = field(default_factory=dict)
    offices: dict[str, Office] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    terms: list[Term] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index()

    def _index(self) -> None:
        self.terms_by_office: dict[str, list[Term]] = defaultdict(list)
        self.terms_by_holder: dict[tuple[str, str], list[Term]] = defaultdict(list)
        self.offices_by_person: dict[str, set[str]] = defaultdict(set)
        for term in sorted(self.terms, key=lambda t: (t.office_id, t.start)):
            self.terms_by_office[term.office_id].append(term)
            self.terms_by_holder[(term.person_id, term.office_id)].append(term)
            self.offices_by_person[term.person_id].add(term.office_id)
        self.people_by_alias: dict[str, set[str]] = defaultdict(set)
        for person in self.people.values():
            for alias in (person.name, *person.aliases):
                for variant in {alias, fold_ascii(alias)}:
                    self.people_by_alias[variant].add(person.person_id)
        self.country_by_qualifier: dict[str, str] = {}
        self.country_by_name: dict[str, str] = {}
        for country in self.countries.values():
            for adjective in country.adjectives:
                self.country_by_qualifier[normalise_phrase(adjective)] = country.code
            for name in country.names:
                self.country_by_name[normalise_phrase(name)] = country.code
                self.country_by_qualifier[normalise_phrase(possessive(name))] = country.code
        self.offices_by_role: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.offices_by_generic_role: dict[str, set[str]] = defaultdict(set)
        self.offices_by_title: dict[str, set[str]] = defaultdict(set)
        for office in self.offices.values():
            for role in office.roles:
                self.offices_by_role[(office.country, normalise_phrase(role))].add(office.office_id)
            for role in office.generic_roles:
                self.offices_by_generic_role[normalise_phrase(role)].add(office.office_id)
            for title in office.titles:
                self.offices_by_title[normalise_phrase(title)].add(office.office_id)

    def covered_from(self, office_id: str) -> datetime.date | None:
        office = self.offices[office_id]
        if office.covered_from:
            return office.covered_from
        terms = self.terms_by_office.get(office_id)
        return terms[0].start if terms else None

    def role_phrases(self) -> set[str]:
        phrases: set[str] = set()
        for office in self.offices.values():
            phrases.update(office.roles, office.generic_roles, office.titles)
        return phrases

    def qualifier_phrases(self) -> set[str]:
        phrases: set[str] = set()
        for country in self.countries.values():
            phrases.update(country.adjectives)
            phrases.update(possessive(name) for name in country.names)
        return phrases

    def country_name_phrases(self) -> set[str]:
        return {name for country in self.countries.values() for name in country.names}

    def alias_phrases(self) -> set[str]:
        return set(self.people_by_alias)


def possessive(name: str) -> str:
    return name + "'" if name.endswith("s") else name + "'s"


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split("|") if part.strip())


def _date(value: str | None, *, where: str) -> datetime.date | None:
    if not value or not value.strip():
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError as error:
        raise OfficeKBError(f"{where}: {value!r} is not a YYYY-MM-DD date") from error


def _csv_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(path.glob("*.csv")))
        elif path.is_file():
            files.append(path)
        else:
            raise OfficeKBError(f"{path}: no such knowledge-base file or directory")
    return files


def read_office_kb(paths: Iterable[str | Path]) -> OfficeKB:
    """Read and merge knowledge-base files; later files extend or correct earlier ones."""
    countries: dict[str, Country] = {}
    offices: dict[str, Office] = {}
    people: dict[str, Person] = {}
    terms: dict[tuple[str, str, datetime.date], Term] = {}
    for path in _csv_files(paths):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = set(reader.fieldnames or ())
            for line, row in enumerate(reader, start=2):
                where = f"{path}:{line}"
                if {"country", "names"} <= header:
                    _merge_country(countries, row)
                elif {"office_id", "label"} <= header:
                    _merge_office(offices, row, where=where)
                elif {"person_id", "office_id", "start"} <= header:
                    term = _term(row, where=where)
                    terms[(term.person_id, term.office_id, term.start)] = term
                elif {"person_id", "name"} <= header:
                    _merge_person(people, row)
                else:
                    raise OfficeKBError(f"{path}: header {sorted(header)} is not a knowledge-base file")
    for person_id, office_id, start in terms:
        if person_id not in people or office_id not in offices:
            raise OfficeKBError(f"term {person_id} / {office_id} from {start}: unknown person or office")
    return OfficeKB(countries=countries, offices=offices, people=people, terms=list(terms.values()))


def _merge_country(countries: dict[str, Country], row: dict[str, str]) -> None:
    code = row["country"].strip()
    known = countries.get(code, Country(code, (), ()))
    countries[code] = Country(
        code,
        tuple(dict.fromkeys((*known.names, *_split(row.get("names"))))),
        tuple(dict.fromkeys((*known.adjectives, *_split(row.get("adjectives"))))),
    )


def _merge_office(offices: dict[str, Office], row: dict[str, str], *, where: str) -> None:
    office_id = row["office_id"].strip()
    covered_from = _date(row.get("covered_from"), where=where)
    verified_through = _date(row.get("verified_through"), where=where)
    known = offices.get(office_id)
    if known:
        # A later extract that was checked more recently extends what is known about the office.
        covered_from = min(filter(None, (known.covered_from, covered_from)), default=None)
        verified_through = max(filter(None, (known.verified_through, verified_through)), default=None)
    offices[office_id] = Office(
        office_id=office_id,
        label=row["label"].strip() or (known.label if known else office_id),
        country=(row.get("country") or "").strip() or (known.country if known else ""),
        kind=(row.get("kind") or "").strip() or (known.kind if known else ""),
        roles=tuple(dict.fromkeys((*(known.roles if known else ()), *_split(row.get("roles"))))),
        generic_roles=tuple(
            dict.fromkeys((*(known.generic_roles if known else ()), *_split(row.get("generic_roles"))))
        ),
        titles=tuple(dict.fromkeys((*(known.titles if known else ()), *_split(row.get("titles"))))),
        covered_from=covered_from,
        verified_through=verified_through,
        source_url=(row.get("source_url") or "").strip() or (known.source_url if known else ""),
    )


def _merge_person(people: dict[str, Person], row: dict[str, str]) -> None:
    person_id = row["person_id"].strip()
    known = people.get(person_id)
    aliases = _split(row.get("aliases"))
    people[person_id] = Person(
        person_id=person_id,
        name=(row.get("name") or "").strip() or (known.name if known else person_id),
        aliases=tuple(dict.fromkeys((*(known.aliases if known else ()), *aliases))),
        wikidata_url=(row.get("wikidata_url") or "").strip() or (known.wikidata_url if known else ""),
    )


def _term(row: dict[str, str], *, where: str) -> Term:
    start = _date(row.get("start"), where=where)
    if start is None:
        raise OfficeKBError(f"{where}: a term needs a start date")
    end = _date(row.get("end"), where=where)
    if end is not None and end < start:
        raise OfficeKBError(f"{where}: the term ends before it starts")
    try:
        uncertainty_days = int((row.get("uncertainty_days") or "0").strip() or 0)
    except ValueError as error:
        raise OfficeKBError(f"{where}: uncertainty_days must be a whole number") from error
    return Term(
        person_id=row["person_id"].strip(),
        office_id=row["office_id"].strip(),
        start=start,
        end=end,
        uncertainty_days=uncertainty_days,
        source_url=(row.get("source_url") or "").strip(),
        note=(row.get("note") or "").strip(),
    )


@functools.lru_cache(maxsize=8)
def _load_cached(resolved: tuple[str, ...]) -> OfficeKB:
    return read_office_kb(resolved)


def load_office_kb(paths: Sequence[str | Path] | None = None) -> OfficeKB:
    """The knowledge base for these files or directories, read once per process."""
    chosen = office_kb_paths() if paths is None else tuple(Path(p) for p in paths)
    return _load_cached(_resolved(chosen))


@functools.lru_cache(maxsize=8)
def _resolved(paths: tuple[Path, ...]) -> tuple[str, ...]:
    # The checks ask for the knowledge base once per sentence; resolving its paths each time (a
    # system call per path component) took half of the checks' time.
    return tuple(str(path.resolve()) for path in paths)


def office_kb_paths() -> tuple[Path, ...]:
    """``settings.CHECKS_OFFICE_KB_FILES`` when Django is configured, else the fixtures."""
    try:
        from django.conf import settings
    except ImportError:
        return (DEFAULT_KB_DIR,)
    if settings.configured:
        configured = getattr(settings, "CHECKS_OFFICE_KB_FILES", None)
        if configured:
            return tuple(Path(p) for p in configured)
    return (DEFAULT_KB_DIR,)
