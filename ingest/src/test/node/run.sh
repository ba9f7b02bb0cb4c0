#!/usr/bin/env bash
# Runs the SDK tests (sdk.test.mjs) against the built ingest service on a fresh database of its
# own (spectrum_sdk on localhost:5432). Used by .ci/run; needs `./spectrum` built.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
db=spectrum_sdk port=18090 key="wk_sdk_$RANDOM$RANDOM"

psql -X -q -h localhost -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
SPECTRUM_DB_URL="jdbc:postgresql://localhost:5432/$db" "$root/spectrum" migrate >/dev/null

SPECTRUM_DB_URL="jdbc:postgresql://localhost:5432/$db" SPECTRUM_WRITE_KEYS="sdk=$key" QUARKUS_HTTP_PORT=$port \
  QUARKUS_LOG_CONSOLE_JSON_ENABLED=false java -jar "$root/ingest/target/quarkus-app/quarkus-run.jar" >/tmp/spectrum-sdk-ingest.log 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/q/health/ready" >/dev/null && break; sleep 0.5; done

cd "$here"
[ -d node_modules ] || npm ci --no-audit --no-fund
SPECTRUM_INGEST_URL="http://127.0.0.1:$port" SPECTRUM_WRITE_KEY="$key" SPECTRUM_SDK_DB="$db" node --test sdk.test.mjs
