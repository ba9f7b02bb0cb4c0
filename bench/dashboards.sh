#!/usr/bin/env bash
# Dashboard query benchmark (bars.md: every Grafana panel's SQL, p95 <= 100 ms at 10M events):
# the shared data set (bench/generate.sql) with the exposures of bench/dashboards-exposures.sql,
# loaded by the pipeline, the three funnels and one experiment of bench/dashboards-definitions.yaml
# applied, the views refreshed; then every panel's and variable's query of grafana/dashboards/,
# expanded as Grafana expands it and run as a reader login (member of spectrum_reader only) in a
# READ ONLY transaction: p50/p95 of RUNS runs each, beside SELECT 1 measured the same way.
#
#   bench/dashboards.sh                  (EVENTS=10000000, RUNS=20)
#   EVENTS=200000 bench/dashboards.sh    (a quick look)
#   REUSE=1 bench/dashboards.sh          (keep the loaded database of an earlier run, only measure)
#   REUSE=1 DB=spectrum_bench_freshness bench/dashboards.sh
#                                        (measure on bench/freshness.sh's database: the same data
#                                        set with its 3 funnels and 1 experiment, no extra exposures)
#
# Uses its own database spectrum_bench_dashboards (DB= another; dropped and made afresh unless
# REUSE=1, and then left in place; KEEP=1 leaves a database it made in place afterwards).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EVENTS="${EVENTS:-10000000}"
RUNS="${RUNS:-20}"
export PGHOST="${PGHOST:-localhost}" PGUSER="${PGUSER:-postgres}"
db="${DB:-spectrum_bench_dashboards}"
reader=spectrum_bench_dashboards_reader
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
seconds() { local s e; s=$(date +%s.%N); q -c "$1" >/dev/null; e=$(date +%s.%N); printf '%.1f' "$(echo "$e - $s" | bc -l)"; }
export SPECTRUM_DB_URL="jdbc:postgresql://$PGHOST:5432/$db"

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, PostgreSQL $(psql -X -At -d postgres -c 'SHOW server_version') (default configuration), $(date -u +%F), load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${REUSE:-0}" != 1 ]; then
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  "$root/spectrum" migrate >/dev/null
  q -v events="$EVENTS" -f "$root/bench/generate.sql" >/dev/null
  q -f "$root/bench/dashboards-exposures.sql"
  echo "load ($EVENTS events): $(seconds "CALL warehouse.run_pipeline(refresh => false)") s"
  q -c "VACUUM ANALYZE"
  # the experiment view's plan is a nested loop over its assigned persons unless told otherwise
  # (docs/benchmarks.md, dashboard queries): apply with nested loops off for this one session
  SPECTRUM_DB_URL="$SPECTRUM_DB_URL?options=-c%20enable_nestloop=off" "$root/spectrum" apply -f "$root/bench/dashboards-definitions.yaml"
  echo "refresh of the standard views: $(seconds "SELECT warehouse.refresh_standard_views()") s"
  q -c "VACUUM ANALYZE"
fi
echo "events: $(q -At -c 'SELECT count(*) FROM warehouse.fact_events'), persons: $(q -At -c 'SELECT count(DISTINCT person_id) FROM warehouse.dim_users')"

(cd "$root" && mvn -q -B -ntp -pl grafana -am test-compile dependency:build-classpath -Dmdep.outputFile="$root/grafana/target/bench.classpath" -Dmdep.includeScope=test >/dev/null)
cp="$root/grafana/target/test-classes:$root/sql/target/test-classes:$root/sql/target/classes:$root/definitions/target/classes:$(cat "$root/grafana/target/bench.classpath")"

psql -X -q -d postgres -c "DROP ROLE IF EXISTS $reader" -c "CREATE ROLE $reader LOGIN IN ROLE spectrum_reader"
trap 'psql -X -q -d postgres -c "DROP ROLE IF EXISTS $reader"; [ "${KEEP:-0}" = 1 ] || [ "${REUSE:-0}" = 1 ] || psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
(cd "$root/grafana" && java -cp "$cp" dev.spectrum.grafana.DashboardBench "$SPECTRUM_DB_URL" "$reader" "$RUNS")
