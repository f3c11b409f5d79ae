"""The workspace's annotation form in a real browser, at desk and phone sizes (screenshots in
test-artifacts/screenshots/)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from claims.models import Claim
from tests.ui.test_browser import browser, desk, roles_and_rating_scale, shoot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_a_reviewer_corrects_the_speaker_in_the_workspace(desk, reviewer, trump_claim, width, height):  # noqa: F811
    page = desk.sign_in(reviewer)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"/claims/{trump_claim.pk}/")
    page.get_by_text("Correct speaker or type").click()
    speaker = page.get_by_label("Speaker", exact=True)
    expect(speaker).to_have_value("Donald Trump")
    speaker.fill("Donald J. Trump")
    page.get_by_label("Event").check()
    shoot(page, f"workspace-annotations-{width}", full_page=False)
    page.get_by_role("button", name="Save correction").click()
    expect(page.get_by_text("Annotations corrected.")).to_be_visible()
    claim = Claim.objects.get(pk=trump_claim.pk)
    assert (claim.speaker, claim.claim_types) == ("Donald J. Trump", ["role", "quote", "event"])
