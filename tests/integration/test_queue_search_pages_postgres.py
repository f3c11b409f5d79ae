"""The searched queue pages of tests/ui/test_queue_search_pages.py on PostgreSQL, where the claims
of highest priority are searched first."""

from __future__ import annotations

import pytest

from tests.ui.test_queue_search_pages import *  # noqa: F403

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
