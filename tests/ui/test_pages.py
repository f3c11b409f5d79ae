"""Every page of the reviewer UI, as each role sees it, through Django's test client."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from claims.choices import ClaimStatus
from claims.models import Claim
from claims.views.base import CONTENT_SECURITY_POLICY
from tests.factories import ClaimFactory
from tests.ui.signed_in import client_for


@pytest.fixture
def published_claim(db) -> Claim:
    return ClaimFactory(status=ClaimStatus.PUBLISHED)


STAFF_PAGES = ["claims:queue", "claims:sources", "claims:dashboard"]


@pytest.mark.parametrize("name", [*STAFF_PAGES, "claims:editor"])
def test_it_sends_anonymous_visitors_to_the_sign_in_page(db, client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("claims:login") + "?next=")


@pytest.mark.parametrize("persona", ["reviewer", "editor", "admin_user"])
@pytest.mark.parametrize("name", STAFF_PAGES)
def test_it_renders_every_staff_page_for_each_role(request, journey, persona, name):
    response = client_for(request.getfixturevalue(persona)).get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("persona", ["reviewer", "editor", "admin_user"])
def test_it_renders_the_workspace_for_each_role(request, journey, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("claims:workspace", args=[journey.pk]))
    assert response.status_code == 200
    assert journey.text in response.content.decode()


@pytest.mark.parametrize("persona", ["editor", "admin_user"])
def test_it_renders_the_editors_desk_for_editors_and_admins(request, db, persona):
    assert client_for(request.getfixturevalue(persona)).get(reverse("claims:editor")).status_code == 200


def test_it_keeps_reviewers_out_of_the_editors_desk(reviewer):
    assert client_for(reviewer).get(reverse("claims:editor")).status_code == 403


@pytest.mark.parametrize("name", [*STAFF_PAGES, "claims:editor"])
def test_it_forbids_staff_pages_to_outsiders(outsider, name):
    assert client_for(outsider).get(reverse(name)).status_code == 403


def test_it_hides_unpublished_claims_from_outsiders(outsider, journey):
    response = client_for(outsider).get(reverse("claims:workspace", args=[journey.pk]))
    assert response.status_code == 404
    assert journey.text not in response.content.decode()


def test_it_shows_outsiders_a_published_claim_without_the_desks_tools(outsider, published_claim):
    response = client_for(outsider).get(reverse("claims:workspace", args=[published_claim.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert published_claim.text in html
    assert 'id="suggestions"' not in html
    assert 'id="history"' not in html


def test_it_refuses_outsiders_the_suggestions_panel(outsider, published_claim):
    response = client_for(outsider).get(reverse("claims:suggestions", args=[published_claim.pk]))
    assert response.status_code == 403


def test_it_refuses_a_post_without_a_csrf_token(reviewer, journey):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post(reverse("claims:take_next"))
    assert response.status_code == 403
    assert Claim.objects.get(pk=journey.pk).assignee_id is None


def test_it_accepts_a_post_that_carries_the_csrf_token(reviewer, journey):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    page = client.get(reverse("claims:queue")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(reverse("claims:take_next"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Claim.objects.get(pk=journey.pk).assignee_id == reviewer.pk


def test_it_puts_a_csrf_token_in_every_form(reviewer, journey):
    client = client_for(reviewer)
    client.post(reverse("claims:take_next"))
    for url in [reverse("claims:queue"), reverse("claims:workspace", args=[journey.pk]), reverse("claims:sources")]:
        html = client.get(url).content.decode()
        posts = re.findall(r'<form method="post".*?</form>', html, flags=re.S)
        assert posts
        assert all("csrfmiddlewaretoken" in form for form in posts), url


@pytest.mark.parametrize("name", ["claims:queue", "claims:dashboard", "claims:sources"])
def test_it_serves_pages_without_inline_scripts(reviewer, journey, name):
    html = client_for(reviewer).get(reverse(name)).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    assert all("src=" in tag for tag in scripts)
    assert not re.search(r"<[^>]+\son[a-z]+=", html), "inline event handlers are blocked by the CSP"


def test_it_signs_a_reviewer_in_with_the_workbench_template(db, reviewer):
    client = Client()
    assert "Sign in" in client.get(reverse("claims:login")).content.decode()
    response = client.post(
        reverse("claims:login"), {"username": reviewer.username, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:queue")


def test_it_signs_out_only_by_post(reviewer):
    client = client_for(reviewer)
    assert client.get(reverse("claims:logout")).status_code == 405
    assert client.post(reverse("claims:logout")).status_code == 302
    assert client.get(reverse("claims:queue")).status_code == 302
