"""An article pasted over the size limit, with debug pages on (as under `make run`): the workbench's own
page answers, never Django's debug traceback, and below the request limit the form comes back with the text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.ui.signed_in import client_for

SENTENCE = "The minister said unemployment fell by 3 percent. "


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def test_a_3_mb_paste_gets_the_form_back_with_the_text_and_the_reason(debug_on, reviewer):
    text = SENTENCE * 64_000  # 3.2 MB
    response = client_for(reviewer).post(reverse("claims:article_add"), {"body": text, "title": "Long"})
    html = response.content.decode()
    assert response.status_code in (400, 413)
    assert "Traceback" not in html and "Add an article" in html
    assert text in html


def test_a_paste_over_the_request_limit_gets_the_workbench_page_not_a_traceback(debug_on, reviewer, settings):
    text = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client_for(reviewer).post(reverse("claims:article_add"), {"body": text})
    html = response.content.decode()
    assert response.status_code == 413
    assert "Traceback" not in html and "Request refused" in html and "too large" in html
