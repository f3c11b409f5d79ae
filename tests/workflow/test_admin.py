import pytest
from django.urls import reverse

from claims.models import Claim
from claims.services import review
from tests.factories import ClaimFactory, EvidenceFactory, SourcePassageFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["claim", "article", "source", "evidence", "verdict", "rating", "suggestion", "finding"]


@pytest.fixture
def staff(db):
    def make(role):
        return UserFactory(username=f"staff_{role}", roles=[role], is_staff=True)

    return make


@pytest.fixture
def some_data(reviewer):
    claim = ClaimFactory()
    EvidenceFactory(claim=claim)
    SourcePassageFactory()
    return claim


@pytest.mark.parametrize("role", ["reviewer", "editor", "admin"])
@pytest.mark.parametrize("model", PAGES)
def test_admin_list_pages_render_for_each_role(client, staff, some_data, role, model):
    client.force_login(staff(role))
    response = client.get(reverse(f"admin:claims_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["reviewer", "editor", "admin"])
def test_the_claim_page_renders_with_its_inlines(client, staff, some_data, role):
    client.force_login(staff(role))
    response = client.get(reverse("admin:claims_claim_change", args=[some_data.pk]))
    assert response.status_code == 200
    assert some_data.text in response.content.decode()


def test_the_take_action_goes_through_the_lease_service(client, staff, some_data):
    user = staff("reviewer")
    client.force_login(user)
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "take_claims", "_selected_action": [some_data.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Claim.objects.get(pk=some_data.pk).assignee == user


def test_the_publish_action_refuses_a_claim_without_an_approved_verdict(client, staff, some_data):
    client.force_login(staff("editor"))
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "publish_verdicts", "_selected_action": [some_data.pk]},
        follow=True,
    )
    assert "This claim has no verdict yet" in response.content.decode()
    assert Claim.objects.get(pk=some_data.pk).status == "new"


def test_a_user_without_staff_status_cannot_open_the_admin(client, outsider, some_data):
    client.force_login(outsider)
    response = client.get(reverse("admin:claims_claim_changelist"))
    assert response.status_code == 302


def test_the_filters_and_search_work_on_the_claim_list(client, staff, some_data):
    user = staff("reviewer")
    taken = review.review_take_next(user=user)
    client.force_login(user)
    url = reverse("admin:claims_claim_changelist")
    found = client.get(url, {"status__exact": "in_review", "score": "high", "q": "percent"})
    assert found.status_code == 200
    assert taken.text[:100] in found.content.decode()
    missed = client.get(url, {"status__exact": "dismissed", "q": "percent"})
    assert taken.text[:100] not in missed.content.decode()
