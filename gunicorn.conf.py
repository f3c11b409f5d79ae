"""gunicorn settings for the web process (read from the working directory; the environment can override).

Extraction runs in the Celery workers, so a request never does slow work: a request still running
after `timeout` seconds is a stuck worker, not a big article, and is restarted."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# An ingest POST reads at most INGEST_MAX_BYTES (2 MiB) and answers 202; 30 s covers a slow client.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then, so a slow leak in a library never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
