import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _needs_postgresql(request):
    """The integration tier runs against the machine's PostgreSQL; on SQLite it would prove nothing."""
    if connection.vendor != "postgresql":
        pytest.fail(
            "Integration tests need DATABASE_URL pointing at PostgreSQL (make test-integration sets it)."
        )
