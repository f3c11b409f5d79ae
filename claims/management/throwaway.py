"""Running a management command against a database made for the run and thrown away afterwards.

Benchmarks and service-path evaluations fill tens of thousands of rows; they must never touch the
configured database. The parent process creates a SQLite file or a PostgreSQL database, runs the
command in a child process pointed at it, and returns the JSON the child printed on its last line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import uuid

from django.conf import settings
from django.core.management.base import CommandError

BACKENDS = ("sqlite", "postgresql")
DEFAULT_POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"


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
    env = {**os.environ, **(environment or {})}
    cleanup = None
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix=f"{name}-")
        env["DATABASE_URL"] = f"sqlite:///{folder}/{name}.sqlite3"
    elif backend == "postgresql":
        database = f"{name}_{uuid.uuid4().hex[:8]}"
        server = postgres_server.rstrip("/")
        subprocess.run(["psql", server + "/postgres", "-qc", f"CREATE DATABASE {database}"], check=True)
        env["DATABASE_URL"] = f"{server}/{database}"
        cleanup = ["psql", server + "/postgres", "-qc", f"DROP DATABASE {database} WITH (FORCE)"]
    else:
        raise CommandError(f"Unknown database backend {backend!r}; use one of {', '.join(BACKENDS)}.")
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", *arguments], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
        )
    finally:
        if cleanup:
            subprocess.run(cleanup, check=False)
    if result.returncode != 0:
        raise CommandError(f"The {backend} run failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])
