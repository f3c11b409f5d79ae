"""Tests: the fast tier runs on an in-memory SQLite with eager jobs; DATABASE_URL points the
integration tier at PostgreSQL."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
INSTALLED_APPS = [*INSTALLED_APPS, "lab.apps.LabConfig"]
# Jobs run when their transaction commits, in the test's thread (an in-memory database is per connection).
JOBS_EAGER_IN_THREAD = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if not os.environ.get("DATABASE_URL"):
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
