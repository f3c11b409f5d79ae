#!/usr/bin/env bash
# Mixed API load (claim list pages, detail, search, review cycles, article ingest) on gunicorn with
# 2 workers and PostgreSQL, from 127.0.0.1 only, for a bounded time. The database (workbench_load)
# is created, migrated, filled and dropped here; jobs go to a private redis-server that no worker
# reads, so nothing leaves this run. Rate limits are lifted for the run.
# Usage: scripts/bench_load.sh [seconds] [clients]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-120}"
CLIENTS="${2:-8}"
PORT="${BENCH_PORT:-8124}"
REDIS_PORT="${BENCH_REDIS_PORT:-6391}"
PG_SERVER="${BENCH_PG_SERVER:-postgres://postgres@127.0.0.1:5432}"
DATABASE=workbench_load
BIN=.venv/bin
WORKDIR="$(mktemp -d)"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 OMP_NUM_THREADS=1
export DATABASE_URL="${PG_SERVER}/${DATABASE}"
export REDIS_URL="redis://127.0.0.1:${REDIS_PORT}/0"
export API_RATE_PER_TOKEN=1000000/minute LOG_LEVEL=WARNING

GUNICORN="" REDIS=""
cleanup() {
  [ -n "$GUNICORN" ] && kill "$GUNICORN" 2>/dev/null && wait "$GUNICORN" 2>/dev/null
  [ -n "$REDIS" ] && kill "$REDIS" 2>/dev/null && wait "$REDIS" 2>/dev/null
  psql "${PG_SERVER}/postgres" -qc "DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)" >/dev/null || true
  rm -rf "$WORKDIR"
}
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORKDIR" >/dev/null &
REDIS=$!
psql "${PG_SERVER}/postgres" -qc "DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)" >/dev/null
psql "${PG_SERVER}/postgres" -qc "CREATE DATABASE ${DATABASE}" >/dev/null
$BIN/python manage.py migrate -v0
$BIN/python manage.py load_demo >/dev/null
$BIN/python manage.py bench_load prepare --plan "$WORKDIR/plan.json" --clients "$CLIENTS"

$BIN/gunicorn workbench.wsgi:application --bind "127.0.0.1:${PORT}" --workers 2 --log-level warning &
GUNICORN=$!
for _ in $(seq 120); do curl -s -o /dev/null "http://127.0.0.1:${PORT}/api/schema/" && break; sleep 0.5; done

worker_cpu_ticks() {  # user+system CPU the gunicorn workers used so far
  local total=0 pid
  for pid in $(pgrep -P "$GUNICORN"); do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
  echo "$total"
}
# Warm-up (every worker loads the extraction models on its first ingest), with other articles.
$BIN/python manage.py bench_load run --plan "$WORKDIR/plan.json" --clients "$CLIENTS" \
  --url "http://127.0.0.1:${PORT}" --duration 20 --warmup 0 --seed 1 >/dev/null
echo "== load before the run: $(uptime)"
CPU_BEFORE=$(worker_cpu_ticks)
$BIN/python manage.py bench_load run --plan "$WORKDIR/plan.json" --clients "$CLIENTS" \
  --url "http://127.0.0.1:${PORT}" --duration "$SECONDS_TO_RUN" --warmup 0
CPU_AFTER=$(worker_cpu_ticks)
echo "== gunicorn workers used $(( (CPU_AFTER - CPU_BEFORE) / $(getconf CLK_TCK) )) CPU seconds during the run"
echo "== load after the run: $(uptime)"
echo "== queued jobs left in the private broker: $(redis-cli -p "$REDIS_PORT" llen celery)"
