"""The permission matrix: every persona against every endpoint and verb, with the exact status.

Allowed calls still go through the services, so "allowed" shows as the service's answer (200, or
409 when, say, the caller holds no lease); refused calls are 401 (no credentials) or 403."""

from __future__ import annotations

import pytest

from claims.api.permissions import ENDPOINT_ROLES
from tests.api.conftest import PERSONAS
from tests.factories import rating

SAFE = {"GET", "HEAD", "OPTIONS"}


def expect(method: str, *, outsider: int, reviewer: int, editor: int) -> dict[str, int]:
    """The tool's tokens act as an editor; a read token is refused any unsafe method."""
    return {
        "anonymous": 401,
        "outsider": outsider,
        "reviewer": reviewer,
        "editor": editor,
        "admin": editor,
        "write_token": editor,
        "read_token": editor if method in SAFE else 403,
    }


def expect_admin(*, admin: int) -> dict[str, int]:
    """Admin-only endpoints: the tool's tokens act as an editor, so they are refused too."""
    refused = {persona: 403 for persona in ("outsider", "reviewer", "editor", "write_token", "read_token")}
    return {"anonymous": 401, **refused, "admin": admin}


# endpoint name, method, path (formatted with the desk), body, expected status per persona
MATRIX = [
    (
        "claim.bulk",
        "POST",
        "/api/v1/claims/bulk/",
        {"action": "release", "ids": [1], "confirm_count": 2},
        expect("POST", outsider=403, reviewer=400, editor=400),
    ),
    (
        "claim.merge",
        "POST",
        "/api/v1/claims/{new}/merge/",
        {"into": 999999},
        expect("POST", outsider=403, reviewer=404, editor=404),
    ),
    (
        "claim.split",
        "POST",
        "/api/v1/claims/{new}/split/",
        {"appearance": 999999},
        expect("POST", outsider=403, reviewer=404, editor=404),
    ),
    ("claim.list", "GET", "/api/v1/claims/", None, expect("GET", outsider=200, reviewer=200, editor=200)),
    (
        "claim.retrieve",
        "GET",
        "/api/v1/claims/{published}/",
        None,
        expect("GET", outsider=200, reviewer=200, editor=200),
    ),
    ("claim.retrieve", "GET", "/api/v1/claims/{new}/", None, expect("GET", outsider=404, reviewer=200, editor=200)),
    (
        "claim.verdict",
        "GET",
        "/api/v1/claims/{published}/verdict/",
        None,
        expect("GET", outsider=200, reviewer=200, editor=200),
    ),
    (
        "claim.partial_update",
        "PATCH",
        "/api/v1/claims/{new}/",
        {"speaker": "Jane Doe", "expected_version": 1},
        expect("PATCH", outsider=403, reviewer=200, editor=200),
    ),
    (
        "claim.take_next",
        "POST",
        "/api/v1/claims/take-next/",
        {},
        expect("POST", outsider=403, reviewer=200, editor=200),
    ),
    ("claim.take", "POST", "/api/v1/claims/{new}/take/", {}, expect("POST", outsider=403, reviewer=200, editor=200)),
    (
        "claim.release",
        "POST",
        "/api/v1/claims/{new}/release/",
        {},
        expect("POST", outsider=403, reviewer=409, editor=409),
    ),
    (
        "claim.extend",
        "POST",
        "/api/v1/claims/{new}/extend/",
        {},
        expect("POST", outsider=403, reviewer=409, editor=409),
    ),
    (
        "claim.dismiss",
        "POST",
        "/api/v1/claims/{new}/dismiss/",
        {},
        expect("POST", outsider=403, reviewer=200, editor=200),
    ),
    (
        "claim.promote",
        "POST",
        "/api/v1/claims/{new}/promote/",
        {},
        expect("POST", outsider=403, reviewer=409, editor=409),
    ),
    (
        "claim.evidence_add",
        "POST",
        "/api/v1/claims/{new}/evidence/",
        {"source": "{source}", "stance": "refutes"},
        expect("POST", outsider=403, reviewer=409, editor=409),
    ),
    (
        "claim.verdict_draft",
        "PUT",
        "/api/v1/claims/{new}/verdict/",
        {"rating": "{rating}", "explanation": "The office says otherwise."},
        expect("PUT", outsider=403, reviewer=409, editor=409),
    ),
    (
        "claim.verdict_approve",
        "POST",
        "/api/v1/claims/{drafted}/verdict/approve/",
        {},
        expect("POST", outsider=403, reviewer=403, editor=200),
    ),
    (
        "claim.verdict_send_back",
        "POST",
        "/api/v1/claims/{drafted}/verdict/send-back/",
        {"comment": "Cite the statistics office."},
        expect("POST", outsider=403, reviewer=403, editor=200),
    ),
    (
        "claim.verdict_publish",
        "POST",
        "/api/v1/claims/{drafted}/verdict/publish/",
        {},
        expect("POST", outsider=403, reviewer=403, editor=409),
    ),
    (
        "claim.verdict_reopen",
        "POST",
        "/api/v1/claims/{published}/verdict/reopen/",
        {"reason": "He is president again."},
        expect("POST", outsider=403, reviewer=403, editor=200),
    ),
    (
        "evidence.destroy",
        "DELETE",
        "/api/v1/evidence/{evidence}/",
        None,
        expect("DELETE", outsider=403, reviewer=409, editor=409),
    ),
    (
        "suggestion.accept",
        "POST",
        "/api/v1/suggestions/{suggestion}/accept/",
        {"stance": "supports"},
        expect("POST", outsider=403, reviewer=409, editor=409),
    ),
    (
        "suggestion.reject",
        "POST",
        "/api/v1/suggestions/{suggestion}/reject/",
        {},
        expect("POST", outsider=403, reviewer=409, editor=409),
    ),
    (
        "finding.confirm",
        "POST",
        "/api/v1/findings/{finding}/confirm/",
        {},
        expect("POST", outsider=403, reviewer=409, editor=409),
    ),
    (
        "finding.dismiss",
        "POST",
        "/api/v1/findings/{finding}/dismiss/",
        {},
        expect("POST", outsider=403, reviewer=409, editor=409),
    ),
    (
        "article.retrieve",
        "GET",
        "/api/v1/articles/{article}/",
        None,
        expect("GET", outsider=403, reviewer=200, editor=200),
    ),
    (
        "article.create",
        "POST",
        "/api/v1/articles/",
        {"text": "The minister said unemployment fell by 3 percent in 2024.", "title": "Jobs"},
        expect("POST", outsider=403, reviewer=202, editor=202),
    ),
    (
        "article.retry_extraction",
        "POST",
        "/api/v1/articles/{article}/retry-extraction/",
        {},
        expect("POST", outsider=403, reviewer=409, editor=409),
    ),
    ("source.list", "GET", "/api/v1/sources/", None, expect("GET", outsider=403, reviewer=200, editor=200)),
    (
        "source.retrieve",
        "GET",
        "/api/v1/sources/{source}/",
        None,
        expect("GET", outsider=403, reviewer=200, editor=200),
    ),
    (
        "source.create",
        "POST",
        "/api/v1/sources/",
        {"url": "https://stats.example.org/jobs", "title": "Labour market report"},
        expect("POST", outsider=403, reviewer=403, editor=201),
    ),
    (
        "source.bulk_import",
        "POST",
        "/api/v1/sources/import/",
        {"sources": [{"url": "https://stats.example.org/jobs", "title": "Labour market report"}]},
        expect("POST", outsider=403, reviewer=403, editor=200),
    ),
    ("factcheck.list", "GET", "/api/v1/factchecks/", None, expect("GET", outsider=403, reviewer=200, editor=200)),
    (
        "factcheck.bulk_import",
        "POST",
        "/api/v1/factchecks/import/",
        {"records": [{"url": "https://checks.example.org/1", "claim": "Crime fell.", "rating": "False"}]},
        expect("POST", outsider=403, reviewer=403, editor=200),
    ),
    ("rating.list", "GET", "/api/v1/ratings/", None, expect("GET", outsider=200, reviewer=200, editor=200)),
    (
        "export.retrieve",
        "GET",
        "/api/v1/exports/claimreview/",
        None,
        expect("GET", outsider=200, reviewer=200, editor=200),
    ),
    ("explainer.list", "GET", "/api/v1/explainers/", None, expect("GET", outsider=403, reviewer=200, editor=200)),
    (
        "explainer.retrieve",
        "GET",
        "/api/v1/explainers/999999/",
        None,
        expect("GET", outsider=403, reviewer=404, editor=404),
    ),
    (
        "explainer.create",
        "POST",
        "/api/v1/explainers/",
        {"title": "Presidential terms", "body": "A U.S. president serves four years.", "sources": []},
        expect("POST", outsider=403, reviewer=201, editor=201),
    ),
    (
        "explainer.partial_update",
        "PATCH",
        "/api/v1/explainers/999999/",
        {"title": "Terms"},
        expect("PATCH", outsider=403, reviewer=404, editor=404),
    ),
    (
        "explainer.attach",
        "POST",
        "/api/v1/explainers/999999/attach/",
        {"claim_ids": [1]},
        expect("POST", outsider=403, reviewer=404, editor=404),
    ),
    (
        "explainer.detach",
        "POST",
        "/api/v1/explainers/999999/detach/",
        {"claim_ids": [1]},
        expect("POST", outsider=403, reviewer=404, editor=404),
    ),
    ("webhook_endpoint.list", "GET", "/api/v1/webhook-endpoints/", None, expect_admin(admin=200)),
    ("webhook_endpoint.retrieve", "GET", "/api/v1/webhook-endpoints/999999/", None, expect_admin(admin=404)),
    (
        "webhook_endpoint.create",
        "POST",
        "/api/v1/webhook-endpoints/",
        # Loopback is refused by the address guard: the admin reaches the service, which says 400.
        {"url": "http://127.0.0.1:9/hooks", "events": ["claim.published"]},
        expect_admin(admin=400),
    ),
    (
        "webhook_endpoint.partial_update",
        "PATCH",
        "/api/v1/webhook-endpoints/999999/",
        {"description": "CMS"},
        expect_admin(admin=404),
    ),
    ("webhook_endpoint.destroy", "DELETE", "/api/v1/webhook-endpoints/999999/", None, expect_admin(admin=404)),
    ("webhook_delivery.list", "GET", "/api/v1/webhook-deliveries/", None, expect_admin(admin=200)),
    ("webhook_delivery.retrieve", "GET", "/api/v1/webhook-deliveries/999999/", None, expect_admin(admin=404)),
    (
        "webhook_delivery.redeliver",
        "POST",
        "/api/v1/webhook-deliveries/999999/redeliver/",
        {},
        expect_admin(admin=404),
    ),
]

CELLS = [
    pytest.param(endpoint, method, path, body, persona, statuses[persona], id=f"{persona}-{method}-{path}")
    for endpoint, method, path, body, statuses in MATRIX
    for persona in PERSONAS
]


def _fill(template, values):
    if isinstance(template, str):
        if template.startswith("{") and template.endswith("}") and template[1:-1] in values:
            return values[template[1:-1]]
        return template.format(**values)
    if isinstance(template, dict):
        return {key: _fill(value, values) for key, value in template.items()}
    return template


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "method", "path", "body", "persona", "expected"), CELLS)
def test_each_persona_gets_the_expected_status(client_as, desk, endpoint, method, path, body, persona, expected):
    values = {
        "new": desk.new_claim.pk,
        "drafted": desk.drafted_claim.pk,
        "published": desk.published_claim.pk,
        "article": desk.new_claim.article_id,
        "evidence": desk.evidence_id,
        "suggestion": desk.suggestion_id,
        "finding": desk.finding_id,
        "source": desk.source_id,
        "rating": rating("Outdated").pk,
    }
    client = client_as(persona)
    response = getattr(client, method.lower())(_fill(path, values), _fill(body, values), format="json")
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        assert set(response.json()) == {"message", "extra"}


def test_the_matrix_covers_every_endpoint_in_the_permission_table():
    assert {endpoint for endpoint, *_ in MATRIX} == set(ENDPOINT_ROLES)
