"""Sessions kept in the database exactly as Django keeps them, read with a statement compiled once.

Every page reads its session; building and compiling the ORM's SELECT for it cost about three times
the CPU of running it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

_ANY_KEY = "any session key"
_ANY_INSTANT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# Per database: the SELECT of a live session's data, and where its key and "now" go among its parameters.
_LIVE_SESSION_SQL: dict[str, tuple[str, int, int]] = {}


def _live_session_sql(using: str) -> tuple[str, int, int]:
    statement = _LIVE_SESSION_SQL.get(using)
    if statement is None:
        from django.contrib.sessions.models import Session

        query = (
            Session.objects.using(using)
            .filter(session_key=_ANY_KEY, expire_date__gt=_ANY_INSTANT)
            .values_list("session_data")
            .query
        )
        sql, params = query.get_compiler(using=using).as_sql()
        instant = connections[using].ops.adapt_datetimefield_value(_ANY_INSTANT)
        places = list(params)
        if len(places) != 2 or _ANY_KEY not in places or instant not in places:
            raise AssertionError(f"The key and an instant should be the parameters of {sql!r}.")
        statement = _LIVE_SESSION_SQL[using] = (sql, places.index(_ANY_KEY), places.index(instant))
    return statement


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        """The session row if its key is known and it has not expired (as Django's own store reads
        it), with only the data filled in: loading reads nothing else."""
        key = self.session_key
        if key is not None:
            using = router.db_for_read(self.model)
            sql, key_at, now_at = _live_session_sql(using)
            params: list[object] = [None, None]
            params[key_at] = key
            params[now_at] = connections[using].ops.adapt_datetimefield_value(timezone.now())
            with connections[using].cursor() as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone()
            if row is not None:
                return self.model(session_key=key, session_data=row[0])
        self._session_key = None
        return None
