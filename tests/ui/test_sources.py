"""The source library page: listing, adding and importing sources."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Source
from tests.factories import SourceFactory
from tests.ui.signed_in import client_for, page_messages


def test_it_lets_an_editor_add_a_source_and_refuses_a_reviewer(editor, reviewer):
    fields = {
        "url": "https://stats.example.org/unemployment-2025",
        "title": "Unemployment, first quarter 2025",
        "publisher": "Statistics Office",
        "kind": "dataset",
        "body": "Unemployment fell to 5.1 percent in the first quarter of 2025.",
    }
    assert client_for(reviewer).post(reverse("claims:source_add"), fields).status_code == 403
    assert 'action="/sources/add/"' not in client_for(reviewer).get(reverse("claims:sources")).content.decode()
    response = client_for(editor).post(reverse("claims:source_add"), fields, follow=True)
    source = Source.objects.get(url=fields["url"])
    assert source.passages.exists()
    assert f"Added “Unemployment, first quarter 2025” (#{source.pk})" in page_messages(response)[0]


def test_it_shows_what_is_wrong_with_a_source(editor):
    response = client_for(editor).post(reverse("claims:source_add"), {"url": "not a url", "title": ""})
    assert response.status_code == 400
    assert "Enter a valid URL." in response.content.decode()


def test_it_imports_sources_from_json_lines_and_reports_bad_rows(editor):
    lines = [
        {"url": "https://records.example.org/a", "title": "Record A", "kind": "official_record", "body": "A."},
        {"url": "ftp://records.example.org/b", "title": "Record B"},
    ]
    upload = SimpleUploadedFile(
        "sources.jsonl", ("\n".join(json.dumps(line) for line in lines) + "\nnot json\n").encode()
    )
    response = client_for(editor).post(reverse("claims:source_import"), {"file": upload}, follow=True)
    notes = page_messages(response)
    assert "Imported 1 new and 0 updated sources (1 passages)." in notes
    assert any(note.startswith("Skipped 2 rows: line 3: not JSON") for note in notes)
    assert Source.objects.filter(url="https://records.example.org/a").exists()


def test_it_searches_the_library_with_the_hybrid_matching(reviewer, inauguration_source):
    SourceFactory(title="Unemployment statistics", body="Unemployment fell by 2 percent last year.")
    response = client_for(reviewer).get(reverse("claims:sources"), {"q": "when was Trump sworn in as president"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Results for “when was Trump sworn in as president”" in html
    assert html.index("Presidential inauguration, January 20, 2025") < html.index("</ol>")
    assert "fused " in html


def test_it_keeps_the_library_search_from_outsiders(outsider):
    response = client_for(outsider).get(reverse("claims:sources"), {"q": "president"})
    assert response.status_code == 403
