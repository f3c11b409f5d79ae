"""The same kinds of bad input through the doors that skip the API's validation: the ingest service
as scripts and bulk imports call it, and ``manage.py ingest_article``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from claims.errors import WorkbenchError
from claims.services.articles import article_ingest
from tests.security.hostile_inputs import COMMAND_CASES, INGEST_CASES, HostileFile, HostileIngest
from tests.security.test_hostile_api import table_sizes


def test_the_ingest_corpora_are_not_trivial():
    assert len(INGEST_CASES) >= 20 and len(COMMAND_CASES) >= 8


@pytest.mark.django_db
@pytest.mark.parametrize("case", INGEST_CASES, ids=lambda case: case.name)
def test_the_service_refuses_with_a_clear_error_and_saves_nothing(case: HostileIngest):
    before = table_sizes()

    with pytest.raises(WorkbenchError) as refused:
        article_ingest(**case.arguments)

    assert refused.value.status_code == case.status
    assert case.says.lower() in refused.value.message.lower(), refused.value.message
    assert table_sizes() == before


@pytest.mark.django_db
@pytest.mark.parametrize("case", COMMAND_CASES, ids=lambda case: case.name)
def test_the_command_refuses_with_a_clear_error_and_saves_nothing(tmp_path, case: HostileFile):
    path = tmp_path / f"article{case.suffix}"
    if case.content is not None:
        path.write_bytes(case.content)
    before = table_sizes()

    with pytest.raises(CommandError) as refused:
        call_command("ingest_article", "--file", str(path), "--format", "json", *case.options)

    assert case.says.lower() in str(refused.value).lower(), str(refused.value)
    assert table_sizes() == before


def _jsonable(case: HostileIngest) -> bool:
    return not any(isinstance(value, bytes) for value in case.arguments.values())


FORM_FIELDS = {"text", "html", "url", "fetch", "title"}


def _form_data(case: HostileIngest) -> dict[str, str] | None:
    """The case as the article form would carry it, or None when the form has no field for it."""
    arguments = case.arguments
    if not _jsonable(case) or not set(arguments) <= FORM_FIELDS:
        return None
    data = {"body": arguments.get("text") or arguments.get("html") or "", "url": arguments.get("url", "")}
    data |= {"title": arguments.get("title", ""), "outlet": "", "author": "", "published_at": ""}
    if arguments.get("fetch"):
        data["fetch"] = "on"
    try:  # a browser cannot send what UTF-8 cannot encode (a lone surrogate)
        "".join(data.values()).encode("utf-8")
    except UnicodeEncodeError:
        return None
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("case", [case for case in INGEST_CASES if _jsonable(case)], ids=lambda case: case.name)
def test_the_bulk_command_refuses_the_line_with_a_reason_and_saves_nothing(tmp_path, case: HostileIngest):
    path = tmp_path / "articles.jsonl"
    path.write_text(json.dumps(case.arguments) + "\n", encoding="utf-8")
    before = table_sizes()
    out = StringIO()

    with pytest.raises(CommandError, match="1 of the lines"):
        call_command("ingest_articles", str(path), "--format", "json", stdout=out, stderr=StringIO())

    (error,) = json.loads(out.getvalue())["errors"]
    assert error["line"] == 1 and len(error["error"]) > 10, error
    assert table_sizes() == before


@pytest.mark.django_db
@pytest.mark.parametrize("case", [case for case in INGEST_CASES if _form_data(case)], ids=lambda case: case.name)
def test_the_article_form_refuses_with_a_reason_and_saves_nothing(client, reviewer, settings, case: HostileIngest):
    data = _form_data(case)
    client.force_login(reviewer)
    before = table_sizes()

    response = client.post(reverse("claims:article_add"), data)

    page = response.content.decode()
    # The form's own checks (URL, NUL characters, lengths) or the service's reason, shown by the form;
    # a paste too large to read at all gets the page that says so (413).
    if len(data["body"].encode()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        assert response.status_code == 413
        assert "too large for this workbench" in page
    else:
        assert response.status_code == 400
        assert 'class="error"' in page, page[-3000:]
    assert table_sizes() == before
