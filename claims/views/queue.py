"""The review queue: filters, saved filters, counts, and taking claims under a lease."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from html import escape as escape_html
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db import connection, connections
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .. import selectors
from ..choices import QUEUE_STATUSES, ClaimStatus, FindingState
from ..errors import PermissionDeniedError, WorkbenchError
from ..filters import CLAIM_ORDERINGS, INDEXED_WORD_CHARS, MAX_SEARCH_WORDS, QUEUE_SORTS, ClaimFilter
from ..forms import SavedFilterForm
from ..models import Claim, Finding
from ..priority import claim_priority
from ..priority import now as priority_now
from ..roles import can_review
from ..services import review, saved_filters
from ..services.bulk import MAX_BULK_CLAIMS, BulkAction, claims_bulk
from ..templatetags.workbench import claim_type_labels, score, shorten
from .base import action, back_to, page

PAGE_SIZE = 50
DEFAULT_SORT = "-priority"
QUEUE_SORT_CHOICES = [(value, CLAIM_ORDERINGS[value]) for value in QUEUE_SORTS]
STATUS_FILTER_CHOICES = [("", "In the queue"), *ClaimStatus.choices]
STATUS_LABELS = dict(ClaimStatus.choices)
# A queue row never shows these; the article body alone is kilobytes per row.
QUEUE_ROW_DEFERRED = ("embedding", "entities", "dates", "article__body")
# What a queue row shows, read as plain values.
QUEUE_ROW_COLUMNS = (
    "pk",
    "text",
    "speaker",
    "priority",
    "checkworthiness",
    "claim_types",
    "appearance_count",
    "status",
    "assignee_id",
    "assignee__username",
    "lease_expires_at",
    "created_at",
    "article__outlet",
    "article__published_at",
    "flagged",
)
# An id no claim has, reversed once per page and replaced by each row's id.
URL_ID_PLACEHOLDER = 987654321
# A searched walk first tests this many claims per row wanted, in priority order (a search matching
# one claim in 10 or more fills the page from there); see _walk_head_first.
SEARCH_HEAD_ROWS_PER_ROW = 10
# Columns a search never reads, left out of the head it tests (a vector alone is 1.5 KB).
SEARCH_HEAD_SKIPPED = ("embedding", "entities", "dates")
QUEUE_FORMS_KEPT = 500
_QUEUE_FORMS_HTML: dict[tuple[object, ...], dict[str, SafeString]] = {}


def _page_ids_sql(
    filtered: QuerySet[Claim],
    *,
    statuses: list[str],
    ordering: str,
    offset: int,
    head_first: bool = False,
) -> tuple[str, list[object]]:
    """The SELECT of the ids of one page's claims, plus one more when there is a next page (so 100k
    rows are never counted), and its parameters: a subquery of the rows' own query, so the page is
    read in one statement.

    For the default sort, the queue index is (status, priority): one ordered walk per status, each
    stopping after a page's worth, then a merge of the walks. A single ordered read over several
    statuses cannot use that order, so both databases would sort every queued claim (PostgreSQL took
    38 ms for that at 100k claims)."""
    if ordering != DEFAULT_SORT:
        ordered = filtered.filter(status__in=statuses).order_by(ordering, "id")
        page = ordered.values("pk")[offset : offset + PAGE_SIZE + 1].query
        # Compiled as Django compiles a subquery: the columns a distinct() read adds to the select
        # for its ordering (a status filter is distinct) are then wrapped away.
        page.subquery = True
        sql, params = page.get_compiler(using=filtered.db).as_sql()
        return sql, list(params)
    wanted = offset + PAGE_SIZE + 1
    walks: list[str] = []
    params: list[object] = []
    for index, (status, sql, walk_params) in enumerate(_status_walks(filtered, statuses=statuses, wanted=wanted)):
        if head_first and connection.vendor == "postgresql":
            sql, walk_params = _walk_head_first(sql, list(walk_params), status=status, wanted=wanted)
        # Each walk in a FROM subquery: SQLite refuses ORDER BY and LIMIT on a member of a UNION.
        walks.append(f"SELECT * FROM ({sql}) AS walk_{index}")
        params.extend(walk_params)
    merged = (
        f"SELECT walk_id FROM ({' UNION ALL '.join(walks)}) AS walks "
        "ORDER BY walk_priority DESC, walk_id LIMIT %s OFFSET %s"
    )
    return merged, [*params, PAGE_SIZE + 1, offset]


# Stands for the status while a walk is compiled; recognised by identity among the parameters.
_WALK_STATUS = "walk status"


def _status_walks(
    filtered: QuerySet[Claim], *, statuses: list[str], wanted: int
) -> list[tuple[str, str, list[object]]]:
    """Per status: the SQL and parameters of its top ``wanted`` claims of ``filtered`` in priority
    order. The walks differ only in their status parameter, so the query is compiled once (each
    compilation cost a fifth of a millisecond of CPU) and each status put in its place."""
    sql, compiled = _walk_sql(filtered, status=_WALK_STATUS, wanted=wanted)
    places = [index for index, param in enumerate(compiled) if param is _WALK_STATUS]
    if len(places) != 1:
        # Not the one status condition expected: compile each walk on its own.
        return [(status, *_walk_sql(filtered, status=status, wanted=wanted)) for status in statuses]
    (place,) = places
    return [(status, sql, [*compiled[:place], status, *compiled[place + 1 :]]) for status in statuses]


def _walk_sql(filtered: QuerySet[Claim], *, status: str, wanted: int) -> tuple[str, list[object]]:
    walk = (
        filtered.filter(status=status)
        .order_by("-priority", "id")
        .annotate(walk_priority=F("priority"), walk_id=F("pk"))
        .values_list("walk_priority", "walk_id")[:wanted]
    )
    sql, params = walk.query.sql_with_params()
    return sql, list(params)


def _search_underestimated(search: str) -> bool:
    """Whether PostgreSQL is likely to expect far fewer matches than there are: each word it looks
    up in the trigram indexes (three characters or more) is expected in few claims, as the claims
    of the articles whose title holds it are unknown until the query runs, and several such words
    multiply into a handful. One word alone is usually expected often enough to walk the queue."""
    words = search.split()[:MAX_SEARCH_WORDS]
    return sum(len(word) >= INDEXED_WORD_CHARS for word in words) >= 2


def _walk_head_first(sql: str, params: list[object], *, status: str, wanted: int) -> tuple[str, list[object]]:
    """A searched walk of one status (``sql``: its top ``wanted`` matches in priority order) that
    first looks for them among the status's SEARCH_HEAD_ROWS_PER_ROW * ``wanted`` highest
    priorities, and searches the whole status only when they hold too few. Same rows either way:
    when the head holds ``wanted`` matches, nothing after it can rank above them.

    PostgreSQL cannot estimate how many claims a search matches (a title word stands for an array
    of article ids it computes while running), so it always plans for few: it gathers every match
    through the trigram indexes, then sorts. For a common word that is thousands of rows ("minister
    under" matched 2,800 of 16,500 new claims: 36 ms per status at 30k claims), where reading the
    status in priority order and testing each row stops after a few hundred. The head is a
    subquery with a LIMIT, which the planner must read in order before testing the search."""
    table = connection.ops.quote_name(Claim._meta.db_table)
    select, found, rest = sql.partition(f" FROM {table} ")
    if not found or "%s" in select:
        return sql, params
    budget = SEARCH_HEAD_ROWS_PER_ROW * wanted
    columns = ", ".join(
        connection.ops.quote_name(field.column)
        for field in Claim._meta.concrete_fields
        if field.name not in SEARCH_HEAD_SKIPPED
    )
    head = (
        f"{select} FROM (SELECT {columns} FROM {table} WHERE status = %s ORDER BY priority DESC, id LIMIT %s) "
        f"AS {table} {rest}"
    )
    # The head suffices when it holds a page's worth, or when it is the whole status.
    sufficient = (
        "(SELECT COUNT(*) FROM head) >= %s OR "
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE status = %s LIMIT %s) AS seen) < %s"
    )
    combined = (
        f"WITH head AS MATERIALIZED ({head}), enough AS (SELECT {sufficient} AS yes) "
        "SELECT * FROM head WHERE (SELECT yes FROM enough) "
        f"UNION ALL SELECT * FROM ({sql}) AS everything WHERE NOT (SELECT yes FROM enough)"
    )
    return combined, [status, budget, *params, wanted, status, budget, budget, *params]


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _query_string(filters: ClaimFilter) -> str:
    """The query string of the filters in use, without paging: what a saved filter stores."""
    data = filters.form.cleaned_data if hasattr(filters.form, "cleaned_data") else {}
    pairs: list[tuple[str, str]] = []
    for name in filters.form.fields:
        value = data.get(name)
        if name == "ordering" and value == DEFAULT_SORT:
            continue
        for item in value if isinstance(value, list) else [value]:
            if item not in (None, ""):
                pairs.append((name, item.isoformat() if isinstance(item, dt.date) else str(item)))
    return urlencode(pairs)


@page
def queue(request: HttpRequest) -> HttpResponse:
    if not can_review(request.user):
        raise PermissionDeniedError("Only reviewers see the queue.")
    claims = selectors.claim_list_for_user(user=request.user)
    filters = ClaimFilter(request.GET or None, queryset=claims, request=request)
    filters.form.fields["ordering"].choices = QUEUE_SORT_CHOICES
    filters.form.fields["ordering"].initial = DEFAULT_SORT
    filters.form.fields["status"].widget.choices = STATUS_FILTER_CHOICES
    filters.is_valid()
    number = _page_number(request)
    offset = (number - 1) * PAGE_SIZE
    statuses = filters.statuses_chosen() or list(QUEUE_STATUSES)
    ordering = filters.ordering_chosen(DEFAULT_SORT)
    page_sql, page_params = _page_ids_sql(
        filters.qs,
        statuses=statuses,
        ordering=ordering,
        offset=offset,
        head_first=_search_underestimated(filters.search_chosen()),
    )
    rows = queue_rows(page_sql, page_params, ordering=ordering, using=claims.db)
    query = _query_string(filters)
    form = filters.form
    counts, inbox_waiting = selectors.queue_sidebar_counts(user=request.user, cap=selectors.QUEUE_COUNT_CAP)
    return render(
        request,
        "claims/queue.html",
        {
            **queue_forms_html(request, form),
            "statuses_chosen": form["status"].value() or [],
            "bulk_actions": BulkAction.choices,
            "claims": rows[:PAGE_SIZE],
            "rows_html": queue_rows_html(rows[:PAGE_SIZE]),
            "page_number": number,
            "has_next": len(rows) > PAGE_SIZE,
            "query": query,
            "counts": _counts(counts),
            # Counted with the sidebar's counts (the header would ask on its own otherwise).
            "inbox_waiting": inbox_waiting,
            "saved_filters": saved_filters.saved_filter_rows_for_user(user=request.user),
            "save_query_input": saved_filter_query_input(query),
            "nav": "queue",
        },
    )


@dataclass(frozen=True)
class RowsStatement:
    """The rows' SELECT for one sort, compiled, with the place where a page's ids go."""

    before_ids: str
    after_ids: str
    params_before_ids: tuple[object, ...]
    params_after_ids: tuple[object, ...]
    columns: tuple[str, ...]
    # Per column read: the database's and the field's conversions of the value (as values() applies them).
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]


# Stands for the page's ids while the rows' SELECT is compiled; never a statement of its own.
PAGE_IDS_MARK = "SELECT queue_page_ids_mark"
_ROWS_STATEMENTS: dict[tuple[str, str], RowsStatement] = {}


def rows_statement(*, ordering: str, using: str) -> RowsStatement:
    """The rows' SELECT for ``ordering``, compiled once per database and sort: its shape never
    changes, and building and compiling it (15 columns over three tables, a subquery) cost a
    millisecond of CPU on every queue page. ``ordering`` is one of the validated QUEUE_SORTS."""
    key = (using, ordering)
    statement = _ROWS_STATEMENTS.get(key)
    if statement is not None:
        return statement
    open_findings = Finding.objects.filter(claim_id=OuterRef("pk")).exclude(state=FindingState.DISMISSED)
    rows = (
        Claim.objects.using(using)
        .filter(pk__in=RawSQL(PAGE_IDS_MARK, []))
        .annotate(flagged=Exists(open_findings))
        .order_by(ordering, "id")
        .values(*QUEUE_ROW_COLUMNS)
    )
    compiler = rows.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    before_ids, after_ids = sql.split(PAGE_IDS_MARK)
    split = before_ids.count("%s")
    query = rows.query
    columns = (*query.extra_select, *query.values_select, *query.annotation_select)
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    statement = RowsStatement(
        before_ids=before_ids,
        after_ids=after_ids,
        params_before_ids=tuple(params[:split]),
        params_after_ids=tuple(params[split:]),
        columns=columns,
        converters=tuple(
            (index, tuple(functions), expression) for index, (functions, expression) in converters.items()
        ),
    )
    _ROWS_STATEMENTS[key] = statement
    return statement


def _read_rows(page_sql: str, page_params: list[object], *, ordering: str, using: str) -> list[dict[str, Any]]:
    """The rows of the page whose ids ``page_sql`` selects, as ``values(*QUEUE_ROW_COLUMNS)`` reads them."""
    statement = rows_statement(ordering=ordering, using=using)
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            statement.before_ids + page_sql + statement.after_ids,
            [*statement.params_before_ids, *page_params, *statement.params_after_ids],
        )
        fetched = cursor.fetchall()
    columns = statement.columns
    rows = []
    for values in fetched:
        row = list(values)
        for index, functions, expression in statement.converters:
            value = row[index]
            for convert in functions:
                value = convert(value, expression, connection)
            row[index] = value
        rows.append(dict(zip(columns, row, strict=True)))
    return rows


def queue_rows(page_sql: str, page_params: list[object], *, ordering: str, using: str) -> list[dict[str, object]]:
    """The rows of the page whose ids ``page_sql`` selects, in ``ordering``, each as the strings its
    cells show.

    Computed here once per row, in one pass (``queue_rows_html`` then only places them): fifty rows
    of model instances, template filters, ``{% url %}`` tags and date formatting took as long as
    every query of the page together. Only the columns shown are read (no verdict, no article body)."""
    found = _read_rows(page_sql, page_params, ordering=ordering, using=using)
    at = priority_now()
    now = timezone.now()
    # Read once: every localtime() call looks the current time zone up again.
    zone = timezone.get_current_timezone()
    workspace_prefix, workspace_suffix = reverse("claims:workspace", args=[URL_ID_PLACEHOLDER]).split(
        str(URL_ID_PLACEHOLDER)
    )
    rows = []
    for claim in found:
        pk = claim["pk"]
        # Why the row ranks where it does, as of now (the stored number may be a few hours old).
        why = claim_priority(
            checkworthiness=claim["checkworthiness"],
            claim_types=claim["claim_types"],
            published_at=claim["article__published_at"],
            at=at,
            flagged=claim["flagged"],
            appearances=claim["appearance_count"],
        ).explanation()
        held = claim["assignee_id"] is not None and claim["lease_expires_at"] and claim["lease_expires_at"] > now
        rows.append(
            {
                "pk": pk,
                "href": f"{workspace_prefix}{pk}{workspace_suffix}",
                "text": shorten(claim["text"], 180),
                "label": shorten(claim["text"], 60),
                "speaker": claim["speaker"],
                "why": why,
                "priority": score(claim["priority"]),
                "score": score(claim["checkworthiness"]),
                "seen": claim["appearance_count"],
                "types": claim_type_labels(claim["claim_types"]),
                "outlet": claim["article__outlet"] or "–",
                "status": claim["status"],
                "status_label": STATUS_LABELS.get(claim["status"], claim["status"]),
                "held_by": claim["assignee__username"] if held else "",
                "added": claim["created_at"].astimezone(zone).date().isoformat(),
            }
        )
    return rows


# One queue row. Written here rather than in the template for speed, as Django's admin builds its
# change list rows: fifty rows of template variables took a third of the page's time. Every value
# is escaped (queue_rows_html); the markup is the one queue.html had (its table's header is still there).
QUEUE_ROW_HTML = """<tr>
          <td><input type="checkbox" name="ids" value="{pk}" data-bulk-item aria-label="Select: {label}"></td>
          <td class="num" title="{why}">{priority}</td>
          <td class="num col-extra">{score}</td>
          <td class="claim-text"><a href="{href}" data-nav-item>{text}</a>{speaker}<span class="muted why">{why}</span></td>
          <td class="num">{seen}</td>
          <td class="col-extra">{types}</td>
          <td class="col-extra">{outlet}</td>
          <td><span class="status status-{status}">{status_label}</span></td>
          <td class="col-extra">{held_by}</td>
          <td class="nowrap col-extra">{added}</td>
        </tr>"""  # noqa: E501
NOBODY_HTML = mark_safe('<span class="muted">–</span>')  # noqa: S308 (a constant)
SEEN_ONCE_HTML = mark_safe('<span class="muted">1</span>')  # noqa: S308 (a constant)


def queue_rows_html(rows: list[dict[str, object]]) -> SafeString:
    """The rows of ``queue_rows`` as the table's body.

    Each value is escaped as ``format_html`` escapes it (``django.utils.html.escape`` is this
    ``html.escape``), without its lazy-string checks: 18,000 calls of them a page, a tenth of the
    page's time in Python."""
    html = []
    for row in rows:
        values = {name: escape_html(str(value)) for name, value in row.items()}
        speaker, seen = row["speaker"], row["seen"]
        values["speaker"] = f'<span class="muted speaker">{values["speaker"]}</span>' if speaker else ""
        if isinstance(seen, int) and seen > 1:
            values["seen"] = f'<span class="repeats" title="Seen {seen} times">×{seen}</span>'
        else:
            values["seen"] = SEEN_ONCE_HTML
        if not row["held_by"]:
            values["held_by"] = NOBODY_HTML
        html.append(QUEUE_ROW_HTML.format(**values))
    return mark_safe("\n        ".join(html))  # noqa: S308 (every value escaped above)


def queue_forms_html(request: HttpRequest, form: forms.Form) -> dict[str, SafeString]:
    """The sidebar's filter form and the search form above the list, as HTML. Both are drawn from
    the query string alone (the filters' values and errors; an empty one shows the initial sort),
    so the variants a desk uses are kept instead of being drawn again on every queue page."""
    key = (get_script_prefix(), tuple((name, tuple(values)) for name, values in request.GET.lists()))
    drawn = _QUEUE_FORMS_HTML.get(key)
    if drawn is None:
        context = {
            "filter_fields": _filter_fields(form),
            "search_hidden": _search_hidden_inputs(form),
            "search_value": form["q"].value(),
            "ordering_value": form["ordering"].value(),
            "orderings": QUEUE_SORT_CHOICES,
        }
        drawn = {
            "filter_form": mark_safe(render_to_string("claims/partials/queue_filter_form.html", context)),  # noqa: S308
            "search_form": mark_safe(render_to_string("claims/partials/queue_search_form.html", context)),  # noqa: S308
        }
        if len(_QUEUE_FORMS_HTML) >= QUEUE_FORMS_KEPT:
            _QUEUE_FORMS_HTML.clear()
        _QUEUE_FORMS_HTML[key] = drawn
    return drawn


def _filter_fields(form: forms.Form) -> list[dict[str, object]]:
    """The sidebar's filter fields (search and sort have their own form above the list). Drawn only
    when a query string's forms are not kept yet (queue_forms_html)."""
    fields: list[dict[str, object]] = []
    for field in form:
        if field.is_hidden:
            if field.value():
                fields.append({"hidden": True, "widget": str(field)})
        elif field.name not in ("q", "ordering"):
            fields.append({"hidden": False, "id": field.id_for_label, "label": field.label, "widget": str(field)})
    return fields


def _search_hidden_inputs(form: forms.Form) -> list[tuple[str, object]]:
    """The filters in use, carried as hidden inputs by the search form so a search keeps them."""
    pairs: list[tuple[str, object]] = []
    for field in form:
        value = field.value() if field.name not in ("q", "ordering") else None
        if not value:
            continue
        if field.name == "status":
            pairs.extend((field.name, item) for item in value)
        else:
            pairs.append((field.name, value))
    return pairs


def saved_filter_query_input(query: str) -> SafeString:
    """The query field of SavedFilterForm (which reads the save) as the form draws it, written here:
    building the form and rendering its widget's template took a tenth of the queue's rendering."""
    if not query:
        return mark_safe('<input type="hidden" name="query" id="id_query">')  # noqa: S308 (a constant)
    return format_html('<input type="hidden" name="query" value="{}" id="id_query">', query)


def _counts(counts: dict[str, int]) -> list[dict[str, object]]:
    cap = selectors.QUEUE_COUNT_CAP
    return [
        {
            "status": status,
            "label": label,
            "count": f"{cap:,}+" if counts.get(status, 0) > cap else counts.get(status, 0),
        }
        for status, label in ClaimStatus.choices
        if status != ClaimStatus.CANDIDATE or counts.get(status)
    ]


@action
def take_next(request: HttpRequest) -> HttpResponse:
    claim = review.review_take_next(user=request.user)
    if claim is None:
        messages.info(request, "The queue is empty: nothing to take.")
        return redirect("claims:queue")
    return redirect("claims:workspace", claim_id=claim.pk)


@action
def take(request: HttpRequest, claim_id: int) -> HttpResponse:
    review.review_take(user=request.user, claim_id=claim_id)
    return redirect("claims:workspace", claim_id=claim_id)


@action
def release(request: HttpRequest, claim_id: int) -> HttpResponse:
    review.review_release(user=request.user, claim_id=claim_id)
    messages.success(request, "Claim given back to the queue.")
    return redirect(back_to(request, fallback=reverse("claims:queue")))


@action
def dismiss(request: HttpRequest, claim_id: int) -> HttpResponse:
    review.claim_dismiss(user=request.user, claim_id=claim_id)
    messages.success(request, "Claim dismissed as not worth checking.")
    return redirect("claims:queue")


@action
def promote(request: HttpRequest, claim_id: int) -> HttpResponse:
    review.claim_promote(user=request.user, claim_id=claim_id)
    messages.success(request, "Claim put in the queue.")
    return redirect(back_to(request, fallback=reverse("claims:workspace", args=[claim_id])))


@action
def saved_filter_save(request: HttpRequest) -> HttpResponse:
    form = SavedFilterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the filter a name (up to 100 characters).")
        return redirect(back_to(request, fallback=reverse("claims:queue")))
    saved = saved_filters.saved_filter_save(
        user=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
    )
    messages.success(request, f"Filter “{saved.name}” saved.")
    return redirect(reverse("claims:queue") + (f"?{saved.query}" if saved.query else ""))


@action
def saved_filter_delete(request: HttpRequest, saved_filter_id: int) -> HttpResponse:
    saved_filters.saved_filter_delete(user=request.user, saved_filter_id=saved_filter_id)
    messages.success(request, "Filter deleted.")
    return redirect("claims:queue")


def _selected_ids(request: HttpRequest) -> list[int]:
    ids = []
    for value in request.POST.getlist("ids")[: MAX_BULK_CLAIMS + 1]:
        if value.isdigit():
            ids.append(int(value))
    return list(dict.fromkeys(ids))


@page
def queue_bulk(request: HttpRequest) -> HttpResponse:
    """The queue's bulk actions. The first POST shows what is about to happen, naming the count; the
    action runs only when that page is confirmed (with the count it showed)."""
    if request.method != "POST":
        return redirect("claims:queue")
    if not can_review(request.user):
        raise PermissionDeniedError("Only reviewers act on the queue.")
    ids = _selected_ids(request)
    action_name = request.POST.get("action", "")
    back = back_to(request, fallback=reverse("claims:queue"))
    if not ids or action_name not in BulkAction.labels:
        messages.error(request, "Select claims and an action first.")
        return redirect(back)
    if request.POST.get("confirm_count") is None:
        claims = selectors.claim_list_for_user(user=request.user).filter(pk__in=ids).defer(*QUEUE_ROW_DEFERRED)
        return render(
            request,
            "claims/queue_bulk_confirm.html",
            {
                "action": action_name,
                "action_label": BulkAction.labels[action_name],
                "ids": ids,
                "claims": list(claims.order_by("-priority", "id")[:20]),
                "count": len(ids),
                "assignee": request.POST.get("assignee", ""),
                "next": back,
                "nav": "queue",
            },
        )
    try:
        confirm_count = int(request.POST["confirm_count"])
    except ValueError:
        confirm_count = -1
    try:
        result = claims_bulk(
            user=request.user,
            action=action_name,
            claim_ids=ids,
            confirm_count=confirm_count,
            assignee=request.POST.get("assignee", ""),
        )
    except WorkbenchError as error:
        messages.error(request, error.message)
        return redirect(back)
    label = BulkAction.labels[action_name]
    messages.success(request, f"{label}: {len(result.done)} of {len(ids)} claims done.")
    if result.refused:
        reasons = sorted(set(result.refused.values()))
        messages.warning(request, f"{len(result.refused)} refused: " + " ".join(reasons[:3]))
    return redirect(back)
