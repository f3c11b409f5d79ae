"""PostgreSQL refuses a NUL in any string, so a NUL in an admin list filter or an API search used
to reach it and end in a 500. Control characters in the address are refused with 400 first."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import ClaimFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/claims/claim/?q=%00",
        "/admin/claims/claim/?status__exact=%00",
        "/admin/claims/source/?q=a%00b",
        "/api/v1/claims/?q=%00",
        "/api/v1/claims/?speaker=%00",
        "/api/v1/sources/?q=%00",
        "/?q=%00",
    ],
)
def test_a_nul_in_a_filter_or_search_is_400_not_500(path):
    ClaimFactory()
    admin_user = UserFactory(username="nul_admin", roles=["admin"], is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)

    response = client.get(path)

    assert response.status_code == 400
    assert "control character" in response.json()["message"]
