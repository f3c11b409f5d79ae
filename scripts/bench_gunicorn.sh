#!/usr/bin/env bash
# Requests per second of the claim list API under gunicorn with 2 workers, on the database the
# environment names (the demo SQLite file by default). Load comes from wrk on 127.0.0.1 only,
# for a bounded time. Usage: scripts/bench_gunicorn.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-20}"
CONNECTIONS="${2:-8}"
PORT="${BENCH_PORT:-8123}"
BIN=.venv/bin
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

$BIN/python manage.py migrate -v0
$BIN/python manage.py load_demo >/dev/null
SECRET="$($BIN/python manage.py create_api_token --username reviewer --name "bench $(date +%s)" --scope read | tail -1)"

$BIN/gunicorn workbench.wsgi:application --bind "127.0.0.1:${PORT}" --workers 2 --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null' EXIT
for _ in $(seq 60); do curl -sf -o /dev/null "http://127.0.0.1:${PORT}/api/schema/" -H "Authorization: Token ${SECRET}" && break; sleep 0.5; done

for path in "/api/v1/claims/?page_size=50" "/api/v1/claims/?status=new&ordering=-priority&page_size=50"; do
  echo "== GET ${path} (${CONNECTIONS} connections, ${SECONDS_TO_RUN}s, 2 gunicorn workers)"
  wrk -t2 -c"${CONNECTIONS}" -d"${SECONDS_TO_RUN}s" --latency -H "Authorization: Token ${SECRET}" "http://127.0.0.1:${PORT}${path}" \
    | grep -E "Requests/sec|50%|90%|99%|Non-2xx|Socket errors"
done
