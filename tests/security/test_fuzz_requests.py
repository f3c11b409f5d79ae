"""Generated hostile requests against every API operation, every HTML page and every admin
changelist, through the application as gunicorn serves it (workbench.wsgi: the request guard, then
Django). Nothing may answer 5xx, and every API refusal has the one error body.

Beyond the fixed corpus in hostile_inputs.py: hypothesis draws the method, the Content-Type and its
charset (real, unknown and non-text codecs), the query string (known filter names with text that
includes control characters, surrogates escaped as bytes, huge numbers, dates out of range), the
body (bytes, JSON of any shape, form data) and who is calling (anonymous, a read token, a write
token, an editor's session, an admin's session). Examples are few per run, so the tier stays fast;
hypothesis remembers failures in its database and replays them first."""

from __future__ import annotations

import json
import os
import re
import urllib.parse

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.choices import TokenScope
from claims.extraction import fetch as fetch_module
from claims.extraction.errors import FetchError
from claims.services.tokens import token_create
from tests.factories import ArticleFactory, ClaimFactory, SourceFactory, UserFactory
from tests.security.wsgi_calls import wsgi_call

API_OPERATIONS = [
    ("POST", "/api/v1/articles/"),
    ("GET", "/api/v1/articles/{id}/"),
    ("POST", "/api/v1/articles/{id}/retry-extraction/"),
    ("GET", "/api/v1/claims/"),
    ("POST", "/api/v1/claims/bulk/"),
    ("POST", "/api/v1/claims/take-next/"),
    ("GET", "/api/v1/claims/{id}/"),
    ("PATCH", "/api/v1/claims/{id}/"),
    ("POST", "/api/v1/claims/{id}/dismiss/"),
    ("POST", "/api/v1/claims/{id}/evidence/"),
    ("POST", "/api/v1/claims/{id}/extend/"),
    ("POST", "/api/v1/claims/{id}/merge/"),
    ("POST", "/api/v1/claims/{id}/promote/"),
    ("POST", "/api/v1/claims/{id}/release/"),
    ("POST", "/api/v1/claims/{id}/split/"),
    ("POST", "/api/v1/claims/{id}/take/"),
    ("GET", "/api/v1/claims/{id}/verdict/"),
    ("PUT", "/api/v1/claims/{id}/verdict/"),
    ("POST", "/api/v1/claims/{id}/verdict/approve/"),
    ("POST", "/api/v1/claims/{id}/verdict/publish/"),
    ("POST", "/api/v1/claims/{id}/verdict/reopen/"),
    ("POST", "/api/v1/claims/{id}/verdict/send-back/"),
    ("DELETE", "/api/v1/evidence/{id}/"),
    ("GET", "/api/v1/explainers/"),
    ("POST", "/api/v1/explainers/"),
    ("GET", "/api/v1/explainers/{id}/"),
    ("PATCH", "/api/v1/explainers/{id}/"),
    ("POST", "/api/v1/explainers/{id}/attach/"),
    ("POST", "/api/v1/explainers/{id}/detach/"),
    ("GET", "/api/v1/exports/{export_format}/"),
    ("GET", "/api/v1/factchecks/"),
    ("POST", "/api/v1/factchecks/import/"),
    ("POST", "/api/v1/findings/{id}/confirm/"),
    ("POST", "/api/v1/findings/{id}/dismiss/"),
    ("GET", "/api/v1/ratings/"),
    ("GET", "/api/v1/sources/"),
    ("POST", "/api/v1/sources/"),
    ("POST", "/api/v1/sources/import/"),
    ("GET", "/api/v1/sources/{id}/"),
    ("POST", "/api/v1/suggestions/{id}/accept/"),
    ("POST", "/api/v1/suggestions/{id}/reject/"),
    ("GET", "/api/v1/webhook-deliveries/"),
    ("GET", "/api/v1/webhook-deliveries/{id}/"),
    ("POST", "/api/v1/webhook-deliveries/{id}/redeliver/"),
    ("GET", "/api/v1/webhook-endpoints/"),
    ("POST", "/api/v1/webhook-endpoints/"),
    ("DELETE", "/api/v1/webhook-endpoints/{id}/"),
    ("GET", "/api/v1/webhook-endpoints/{id}/"),
    ("PATCH", "/api/v1/webhook-endpoints/{id}/"),
]
PAGES = [
    "/",
    "/editor/",
    "/editor/export/",
    "/inbox/",
    "/dashboard/",
    "/sources/",
    "/accounts/login/",
    "/claims/{id}/",
    "/claims/{id}/evidence/search/",
    "/articles/{id}/",
]
QUERY_NAMES = [
    "q",
    "status",
    "cursor",
    "article",
    "updated_since",
    "since",
    "format",
    "ordering",
    "page_size",
    "kind",
    "speaker",
    "claim_type",
    "min_checkworthiness",
    "assigned_to_me",
    "p",
    "o",
    "e",
    "all",
    "next",
    "_changelist_filters",
    "rating__id__exact",
    "created_at__gte",
]
CHARSETS = [
    "utf-8",
    "UTF8",
    "us-ascii",
    "iso-8859-1",
    "utf-16",
    "cp1252",
    "rot13",
    "hex",
    "base64",
    "zlib",
    "bz2",
    "uu",
    "quopri",
    "utf-999",
    "",
    '"utf-8"',
]
MEDIA_TYPES = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=fuzz",
    "text/plain",
    "application/xml",
    "",
    "*/*",
    "application/json; charset",
]
HOSTILE_VALUES = [
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\x7f",
    "9" * 40,
    "-1",
    "0",
    "1e999",
    "NaN",
    "9999-12-31T23:59:59-14:00",
    "0000-00-00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "%zz",
    "\u202e\u200b",
    "新" * 500,
    "x" * 5000,
]

text_values = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
query_strings = st.one_of(
    st.lists(st.tuples(st.sampled_from(QUERY_NAMES), text_values), max_size=4).map(
        lambda pairs: urllib.parse.urlencode(pairs, encoding="utf-8")
    ),
    # Raw bytes after %-decoding: invalid UTF-8, lone percent signs, NULs.
    st.binary(max_size=40).map(lambda raw: "q=" + urllib.parse.quote_from_bytes(raw)),
    st.text(alphabet="%=&;+?#abcXYZ019", max_size=30),
)
content_types = st.one_of(
    st.tuples(st.sampled_from(MEDIA_TYPES), st.sampled_from(CHARSETS)).map(
        lambda pair: f"{pair[0]}; charset={pair[1]}" if pair[1] else pair[0]
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text_values,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text_values, children, max_size=3),
    max_leaves=8,
)
article_like = st.fixed_dictionaries(
    {},
    optional={
        "text": text_values,
        "html": text_values,
        "url": st.one_of(text_values, st.just("https://news.example.org/" + "新" * 1920)),
        "fetch": st.booleans(),
        "published_at": text_values,
        "title": text_values,
        "rating": text_values,
        "source": st.one_of(st.integers(), text_values),
        "stance": text_values,
        "excerpt": text_values,
        "sources": st.lists(st.dictionaries(st.sampled_from(["url", "title", "body", "kind"]), text_values)),
    },
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda value: json.dumps(value).encode()),
    article_like.map(lambda value: json.dumps(value).encode()),
    st.lists(st.tuples(st.sampled_from(["username", "password", "text", "url"]), text_values), max_size=3).map(
        lambda pairs: urllib.parse.urlencode(pairs).encode()
    ),
)
path_ids = st.one_of(st.just("{real}"), st.sampled_from(["0", "1", "999999999999999999", "-1", "abc", "1%00"]))
callers = st.sampled_from(["anonymous", "read_token", "write_token", "editor_session", "admin_session"])

# FUZZ_EXAMPLES raises the count for a deeper run on a quiet machine (e.g. 2000 before a release).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
fuzz_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
)


@pytest.fixture
def world(db, monkeypatch):
    """A small desk, and the credentials each caller uses. URL fetches are refused before any
    name is resolved: generated URLs must not reach a resolver."""

    def refuse(*args, **kwargs):
        raise FetchError("no network in tests")

    monkeypatch.setattr(fetch_module, "_connect_checked", refuse)
    editor = UserFactory(username="fuzz_editor", roles=["editor"])
    admin_user = UserFactory(username="fuzz_admin", roles=["admin"], is_staff=True, is_superuser=True)
    article = ArticleFactory(url="https://news.example.org/fuzz")
    claim = ClaimFactory(article=article, text="Unemployment fell by 3 percent last year.")
    source = SourceFactory(url="https://records.example.org/fuzz")
    headers = {
        "anonymous": {},
        "read_token": {
            "HTTP_AUTHORIZATION": "Token " + token_create(user=editor, name="read", scope=TokenScope.READ).secret
        },
        "write_token": {
            "HTTP_AUTHORIZATION": "Token " + token_create(user=editor, name="write", scope=TokenScope.WRITE).secret
        },
    }
    for name, user in (("editor_session", editor), ("admin_session", admin_user)):
        client = Client()
        client.force_login(user)
        headers[name] = {"HTTP_COOKIE": f"sessionid={client.cookies['sessionid'].value}"}
    return {"headers": headers, "ids": {"claim": claim.pk, "article": article.pk, "source": source.pk}}


def _path(template: str, path_id: str, ids: dict[str, int]) -> str:
    real = ids["source"] if "/sources/" in template else ids["article"] if "/articles/" in template else ids["claim"]
    path_id = str(real) if path_id == "{real}" else path_id
    return template.replace("{id}", path_id).replace("{export_format}", "csv")


def _assert_no_server_error(method: str, path: str, query: str, answer) -> None:
    where = f"{method} {path}?{query}"
    assert answer.status < 500, f"{where} answered {answer.status}: {answer.body[:300]!r}"
    content_type = answer.headers.get("Content-Type", "")
    if path.startswith("/api/") and answer.status >= 400 and content_type.startswith("application/json"):
        body = json.loads(answer.body)
        assert set(body) == {"message", "extra"}, f"{where}: {body!r}"


@fuzz_settings
@given(
    operation=st.sampled_from(API_OPERATIONS),
    path_id=path_ids,
    query=query_strings,
    content_type=content_types,
    body=bodies,
    caller=callers,
)
def test_no_api_operation_answers_5xx_to_a_generated_request(
    world, operation, path_id, query, content_type, body, caller
):
    method, template = operation
    path = _path(template, path_id, world["ids"])
    answer = wsgi_call(
        method,
        urllib.parse.unquote(path, encoding="latin-1"),
        query=query,
        body=body,
        content_type=content_type,
        headers=world["headers"][caller],
    )
    _assert_no_server_error(method, path, query, answer)


@fuzz_settings
@given(
    page=st.sampled_from(PAGES),
    query=query_strings,
    content_type=st.one_of(st.just(""), content_types),
    caller=callers,
)
def test_no_page_answers_5xx_to_a_hostile_query(world, page, query, content_type, caller):
    path = _path(page, "{real}", world["ids"])
    answer = wsgi_call("GET", path, query=query, content_type=content_type, headers=world["headers"][caller])
    _assert_no_server_error("GET", path, query, answer)


def _admin_changelists() -> list[str]:
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
    ]


@settings(
    max_examples=max(10, EXAMPLES // 2),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), query=query_strings)
def test_no_admin_changelist_answers_5xx_to_a_hostile_query(world, data, query):
    path = data.draw(st.sampled_from(_admin_changelists()))
    answer = wsgi_call("GET", path, query=query, headers=world["headers"]["admin_session"])
    _assert_no_server_error("GET", path, query, answer)


def test_the_generated_requests_cover_every_api_operation():
    """The list above is the schema's: a new operation must be added to the fuzzing tier."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        (method.upper(), re.sub(r"\{[^}]+\}", lambda m: "{export_format}" if "format" in m.group() else "{id}", path))
        for path, methods in schema["paths"].items()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert operations == set(API_OPERATIONS)
