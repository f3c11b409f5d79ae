"""The one claim filter: the queue page and the API's claim list read the same parameters, with the
same names and meanings (a queue link and an API call say the same thing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import F, Lookup, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .choices import ClaimStatus, ClaimType
from .models import Article, Claim

ASSIGNEE_ME = "me"
ASSIGNEE_NOBODY = "nobody"
ASSIGNEE_ANYONE = "anyone"
MAX_SEARCH_CHARS = 200
MAX_SEARCH_WORDS = 10
# The SQLite search table (migration 0017) indexes trigrams: a shorter word cannot be looked up there.
INDEXED_WORD_CHARS = 3
SQLITE_SEARCH = "SELECT rowid FROM claims_claim_search WHERE claims_claim_search MATCH %s"
SQLITE_COMMON_MATCHES = 2000

# value -> label. The first four are the queue's sort choices; the rest serve incremental sync.
CLAIM_ORDERINGS = {
    "-priority": "Priority",
    "-created_at": "Newest",
    "-appearance_count": "Most repeated",
    "created_at": "Longest waiting",
    "priority": "Priority, lowest first",
    "appearance_count": "Fewest repeats",
    "id": "Id",
    "-id": "Id, newest first",
    "updated_at": "Last changed, oldest first",
    "-updated_at": "Last changed",
    "checkworthiness": "Score, lowest first",
    "-checkworthiness": "Score",
}
QUEUE_SORTS = ("-priority", "-created_at", "-appearance_count", "created_at")


class OneOrManySelect(forms.Select):
    """A single drop-down on the page; the query string may still repeat the parameter (the API does)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        getlist = getattr(data, "getlist", None)
        if getlist is not None:
            return [value for value in getlist(name) if value]
        value = data.get(name)
        return [value] if value else []

    def format_value(self, value: Any) -> list[str]:
        return [str(v) for v in (value or [])] if isinstance(value, list | tuple) else super().format_value(value)


MAX_ID = 2**63 - 1


class StrictBooleanField(forms.NullBooleanField):
    """true/false/1/0 or nothing; any other word is an error (a client sending it has a bug)."""

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in {"true", "1", "yes", "on"}:
            return True
        if text in {"false", "0", "no", "off"}:
            return False
        raise forms.ValidationError("Must be a valid boolean (true or false).", code="invalid")

    def validate(self, value: Any) -> None:
        return None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 instant within the years the database and Python can hold."""

    def to_python(self, value: Any) -> Any:
        try:
            parsed = super().to_python(value)
            if parsed is not None:
                # The database stores UTC: an instant that cannot be written in UTC is out of range.
                parsed.astimezone(dt.UTC)
                timezone.make_naive(parsed, dt.UTC)
            return parsed
        except (OverflowError, ValueError):
            raise forms.ValidationError("Enter a valid date/time.", code="invalid") from None

    def strptime(self, value: str, format: str) -> dt.datetime:
        try:
            return super().strptime(value, format)
        except (OverflowError, ValueError):
            raise forms.ValidationError("Enter a valid date/time.", code="invalid") from None


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class EqualsAny(Lookup):
    """``lhs = ANY(rhs)``, rhs an array (PostgreSQL)."""

    lookup_name = "equals_any"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def _sqlite_common(phrase: str, db: str) -> bool:
    """Whether more than SQLITE_COMMON_MATCHES claims hold the word. Such a word is cheaper to test
    row by row while reading claims in the page's order (a page fills after a few hundred rows)
    than to look up: the search table hands over every match before the first row is read (at 30k
    claims, 40-80 ms for a word in a sixth of them, against 13-19 ms for the ordered read)."""
    with connections[db].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({SQLITE_SEARCH} LIMIT %s)", [phrase, SQLITE_COMMON_MATCHES + 1])
        (matches,) = cursor.fetchone()
    return bool(matches > SQLITE_COMMON_MATCHES)


def claims_search(claims: QuerySet[Claim], value: str) -> QuerySet[Claim]:
    """Claims where every word of ``value`` occurs, ignoring case, in the claim text, its speaker or
    its article's title (each word may match a different one). Answered from the search indexes of
    migration 0017; any character a user types is a literal, never query syntax."""
    vendor = connections[claims.db].vendor
    for word in value.split()[:MAX_SEARCH_WORDS]:
        # An FTS5 string: the word in double quotes, a quote inside it doubled. The trigram
        # tokenizer reads it as a substring, so NEAR, *, - and the like are plain text here.
        phrase = '"' + word.replace('"', '""') + '"'
        # SQLite's LIKE folds the case of ASCII letters only: a word with others is always looked up.
        indexed = vendor == "sqlite" and len(word) >= INDEXED_WORD_CHARS
        if indexed and not (word.isascii() and _sqlite_common(phrase, claims.db)):
            claims = claims.filter(pk__in=RawSQL(SQLITE_SEARCH, [phrase]))
        elif vendor == "sqlite":
            titled = Article.objects.filter(title__icontains=word).values("id")
            claims = claims.filter(Q(text__icontains=word) | Q(speaker__icontains=word) | Q(article_id__in=titled))
        else:
            # The article ids as an array computed once ("= ANY(ARRAY(...))", not "IN (SELECT ...)"):
            # then all three conditions are index conditions the planner may combine in one bitmap
            # scan for a rare word, or test row by row while walking the queue's priority order for
            # a common one, whichever is cheaper. An IN subquery inside the OR allows neither.
            titled = ArraySubquery(Article.objects.filter(title__icontains=word).order_by().values("id"))
            claims = claims.filter(
                Q(text__icontains=word) | Q(speaker__icontains=word) | Q(EqualsAny(F("article_id"), titled))
            )
    return claims


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


class ClaimFilter(django_filters.FilterSet):
    """Narrows claims a caller may see (``claim_list_for_user``). ``ordering`` is validated here and
    applied by the door (the API pages by keyset on it; the queue walks its index)."""

    q = django_filters.CharFilter(
        method="filter_search",
        max_length=MAX_SEARCH_CHARS,
        label="Search",
        help_text="Words in the claim, its speaker or its article's title.",
    )
    status = django_filters.MultipleChoiceFilter(
        choices=ClaimStatus.choices,
        widget=OneOrManySelect(choices=[("", "In the queue"), *ClaimStatus.choices]),
        help_text="Repeat for several.",
    )
    claim_type = django_filters.ChoiceFilter(
        choices=ClaimType.choices, method="filter_claim_type", label="Type", empty_label="Any type"
    )
    min_checkworthiness = django_filters.NumberFilter(
        method="filter_min_checkworthiness", label="Score ≥", min_value=0, max_value=1
    )
    outlet = django_filters.CharFilter(method="filter_outlet", max_length=200, label="Outlet")
    speaker = django_filters.CharFilter(field_name="speaker", lookup_expr="iexact", max_length=200)
    assignee = django_filters.CharFilter(
        method="filter_assignee", max_length=150, label="Held by", help_text="me, nobody, or a username"
    )
    assigned_to_me = StrictBooleanFilter(
        method="filter_assigned_to_me", widget=forms.HiddenInput, label="Assigned to me"
    )
    article = django_filters.NumberFilter(
        field_name="article_id", widget=forms.HiddenInput, min_value=1, max_value=MAX_ID, decimal_places=0
    )
    date_from = django_filters.DateFilter(
        method="filter_date_from", label="Added from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to", label="Added to", widget=forms.DateInput(attrs={"type": "date"})
    )
    updated_since = BoundedIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gt",
        widget=forms.HiddenInput,
        help_text="Only claims changed after this instant. For incremental sync, combine with ordering=updated_at.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=list(CLAIM_ORDERINGS.items()), method="filter_nothing", label="Sort", empty_label=None
    )

    class Meta:
        model = Claim
        fields: list[str] = []

    def get_form_class(self) -> type[forms.Form]:
        """The form class, made once: every filter's field is fixed (no queryset or request reaches
        them), and each form still gets its own copies of the fields, so a page may change their
        choices. Making the class anew cost a millisecond of every queue page and claim list."""
        made = type(self).__dict__.get("_form_class")
        if made is None:
            made = super().get_form_class()
            type(self)._form_class = made
        return made

    def _user(self) -> Any:
        return getattr(self.request, "user", None)

    def filter_nothing(self, claims: QuerySet[Claim], name: str, value: Any) -> QuerySet[Claim]:
        return claims

    def filter_search(self, claims: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        return claims_search(claims, value)

    def filter_claim_type(self, claims: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        # claim_types is a JSON list; matching the quoted value works on SQLite and PostgreSQL alike.
        return claims.filter(claim_types__icontains=f'"{value}"')

    def filter_min_checkworthiness(self, claims: QuerySet[Claim], name: str, value: Any) -> QuerySet[Claim]:
        # Compared as an expression so the planner keeps walking the queue index: through the
        # score index, SQLite fetched half the table row by row (130 ms at 100k claims, against 5 ms).
        return claims.alias(score=F("checkworthiness") + 0.0).filter(score__gte=float(value))

    def filter_outlet(self, claims: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        if not value.strip():
            return claims
        # A subquery on the indexed outlet column, instead of joining every queued claim to its article.
        return claims.filter(article_id__in=Article.objects.filter(outlet__iexact=value.strip()).values("id"))

    def filter_assignee(self, claims: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        value, now = value.strip(), timezone.now()
        if value == ASSIGNEE_ME:
            return claims.filter(assignee=self._user(), lease_expires_at__gt=now)
        if value == ASSIGNEE_NOBODY:
            return claims.filter(Q(assignee__isnull=True) | Q(lease_expires_at__lte=now))
        if value and value != ASSIGNEE_ANYONE:
            return claims.filter(assignee__username=value, lease_expires_at__gt=now)
        return claims

    def filter_assigned_to_me(self, claims: QuerySet[Claim], name: str, value: bool | None) -> QuerySet[Claim]:
        return claims.filter(assignee=self._user()) if value else claims

    def filter_date_from(self, claims: QuerySet[Claim], name: str, value: dt.date) -> QuerySet[Claim]:
        return claims.filter(created_at__gte=_start_of(value))

    def filter_date_to(self, claims: QuerySet[Claim], name: str, value: dt.date) -> QuerySet[Claim]:
        return claims.filter(created_at__lt=_start_of(value + dt.timedelta(days=1)))

    def ordering_chosen(self, default: str) -> str:
        """The ordering asked for, or ``default``; call after ``is_valid()``."""
        data = self.form.cleaned_data if hasattr(self.form, "cleaned_data") else {}
        return data.get("ordering") or default

    def search_chosen(self) -> str:
        """The search asked for (validated), or ""; call after ``is_valid()``."""
        data = self.form.cleaned_data if hasattr(self.form, "cleaned_data") else {}
        return str(data.get("q") or "")

    def statuses_chosen(self) -> list[str]:
        data = self.form.cleaned_data if hasattr(self.form, "cleaned_data") else {}
        return list(data.get("status") or [])
