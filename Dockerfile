FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    DJANGO_SETTINGS_MODULE=workbench.settings.production \
    WORKBENCH_VAR_DIR=/app/var

WORKDIR /app
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/*

# torch first and on its own (the lock files leave it out), then exactly the runtime lock, with hashes
# and without resolving anything. Point pip at an index that serves the CPU build of torch
# (docker build --build-arg PIP_EXTRA_INDEX_URL=...) to keep the image small.
ARG PIP_EXTRA_INDEX_URL=""
RUN pip install torch==2.13.0
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY workbench ./workbench
COPY claims ./claims
RUN pip install --no-deps --no-build-isolation . && pip check
COPY manage.py gunicorn.conf.py ./
COPY fixtures ./fixtures

RUN useradd --create-home workbench && mkdir -p /app/var && chown workbench /app/var
USER workbench
EXPOSE 8000
CMD ["gunicorn", "workbench.wsgi:application", "--config", "gunicorn.conf.py"]
