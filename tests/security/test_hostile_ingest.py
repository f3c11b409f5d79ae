"""The same kinds of bad input through the doors that skip the API's validation: the ingest service
as scripts and bulk imports call it, and ``manage.py ingest_article``."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

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
