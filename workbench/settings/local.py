"""The embedded default: SQLite under var/, jobs in-process unless REDIS_URL is set, debug on."""

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, INSTALLED_APPS, SECRET_KEY, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost"]

# Benchmarks, evaluation and training commands: development only, never in a serving process.
INSTALLED_APPS = [*INSTALLED_APPS, "lab.apps.LabConfig"]

# Mail to authors (verdict sent back, approved, published) is printed where `make run` serves.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
