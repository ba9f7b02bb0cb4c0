#!/usr/bin/env bash
# HTTP ingest benchmark (bars.md): starts the ingest service on its own database, then runs
# bench/IngestBench.java (HTTP 500-event batches from several clients beside raw COPY of the
# same events, and latency at half the maximum rate).
#
#   bench/ingest.sh [clients] [batches per client]      (default 4 x 100)
#   SERVICE_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/ingest.jfr,settings=profile" bench/ingest.sh
#                                                        (the service's JVM options, e.g. to profile it)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clients="${1:-4}" batches="${2:-100}"
db=spectrum_bench_ingest port=18080 key=bench-key-0123456789

psql -X -q -h localhost -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
SPECTRUM_DB_URL="jdbc:postgresql://localhost:5432/$db" "$root/spectrum" migrate >/dev/null
[ -f "$root/ingest/target/quarkus-app/quarkus-run.jar" ] || (cd "$root" && mvn -q -B package -DskipTests -pl ingest -am)

SPECTRUM_DB_URL="jdbc:postgresql://localhost:5432/$db" SPECTRUM_WRITE_KEYS="bench=$key" QUARKUS_HTTP_PORT=$port \
  QUARKUS_LOG_CONSOLE_JSON_ENABLED=false java ${SERVICE_JAVA_OPTS:-} -jar "$root/ingest/target/quarkus-app/quarkus-run.jar" >/tmp/spectrum-ingest-bench.log 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true; wait $service 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://localhost:$port/q/health/ready" >/dev/null && break; sleep 0.5; done

java -cp "$root/cli/target/lib/*" "$root/bench/IngestBench.java" "http://localhost:$port" "$key" \
  "jdbc:postgresql://localhost:5432/$db" "$clients" "$batches" "$service"
