#!/usr/bin/env bash
# The ingest service's own CPU per event, without HTTP or PostgreSQL (bench/IngestCpu.java):
# the streaming reading of a 500-event batch plus its COPY rows, beside the tree-based reading
# in the same run. About 30 seconds.
#
#   bench/ingest-cpu.sh [seconds per round]      (default 3)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -f "$root/ingest/target/quarkus-app/quarkus-run.jar" ] || (cd "$root" && mvn -q -B package -DskipTests -pl ingest -am)
exec java -cp "$root/ingest/target/classes:$root/ingest/target/quarkus-app/lib/main/*:$root/ingest/target/quarkus-app/lib/boot/*" \
  "$root/bench/IngestCpu.java" "${1:-3}"
