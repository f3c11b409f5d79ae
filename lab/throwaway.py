"""Running a management command against a database made for the run and thrown away afterwards.

Benchmarks and service-path evaluations fill tens of thousands of rows; they must never touch the
configured database. The parent process creates a SQLite file or a PostgreSQL database, runs the
command in a child process pointed at it, and returns the JSON the child printed on its last line.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.core.management.base import CommandError

BACKENDS = ("sqlite", "postgresql")
DEFAULT_POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"


@contextlib.contextmanager
def throwaway_database(
    *, backend: str, postgres_server: str = DEFAULT_POSTGRES_SERVER, name: str = "throwaway"
) -> Iterator[str]:
    """Yield the URL of a new empty database of `backend`, deleted (file or database) afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as folder:
            yield f"sqlite:///{folder}/{name}.sqlite3"
        return
    if backend != "postgresql":
        raise CommandError(f"Unknown database backend {backend!r}; use one of {', '.join(BACKENDS)}.")
    database = f"{name}_{uuid.uuid4().hex[:8]}"
    server = postgres_server.rstrip("/")
    subprocess.run(["psql", server + "/postgres", "-qc", f"CREATE DATABASE {database}"], check=True)
    try:
        yield f"{server}/{database}"
    finally:
        subprocess.run(["psql", server + "/postgres", "-qc", f"DROP DATABASE {database} WITH (FORCE)"], check=False)


def run_in_throwaway_database(
    *,
    backend: str,
    arguments: list[str],
    postgres_server: str = DEFAULT_POSTGRES_SERVER,
    name: str = "throwaway",
    environment: dict[str, str] | None = None,
) -> dict:
    """Run `manage.py <arguments>` against a new empty database of `backend`; return its JSON result.

    `environment` adds variables for the child (settings the run should use)."""
    with throwaway_database(backend=backend, postgres_server=postgres_server, name=name) as url:
        result = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=settings.BASE_DIR,
            env={**os.environ, **(environment or {}), "DATABASE_URL": url},
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        raise CommandError(f"The {backend} run failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])
