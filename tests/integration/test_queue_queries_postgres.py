"""The query-count cases of tests/ui/test_queue_queries.py on PostgreSQL."""

from __future__ import annotations

import pytest

from tests.ui.test_queue_queries import *  # noqa: F403

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
