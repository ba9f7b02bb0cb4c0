#!/usr/bin/env bash
# The ingest service's own CPU per event, without HTTP or PostgreSQL (bench/IngestCpu.java):
# the streaming reading of a 500-event batch plus its COPY rows, beside the tree-based reading
# in the same run. About 30 seconds.
#
#   bench/ingest-cpu.sh [seconds per round]      (default 3)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -f "$root/ingest/target/quarkus-app/quarkus-run.jar" ] && [ -d "$root/cli/target/lib" ] \
  || (cd "$root" && mvn -q -B package -DskipTests -pl ingest,cli -am)
bodies=$(mktemp -d /tmp/spectrum-ingest-cpu.XXXXXX)
trap 'rm -rf "$bodies"' EXIT
# the request bodies of bench/ingest.sh (IngestBench's batch shape), 64 of them
java -cp "$root/cli/target/lib/*" "$root/bench/IngestBench.java" bodies "$bodies" 64
java -cp "$root/ingest/target/classes:$root/ingest/target/quarkus-app/lib/main/*:$root/ingest/target/quarkus-app/lib/boot/*" \
  "$root/bench/IngestCpu.java" "$bodies" "${1:-3}"
