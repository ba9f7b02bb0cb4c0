#!/usr/bin/env bash
# Funnel refresh benchmark (issue: funnels as code): refresh time of a 3-step ordered funnel with
# a 7-day window (bench/funnel-bench.yaml) over 1M and 5M generated events, beside
# PostgreSQL's own time for SELECT count(DISTINCT person) over the same facts, in the same run.
#
#   bench/funnel.sh                   (sizes "1000000 5000000"; SIZES=200000 for a quick look)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZES="${SIZES:-1000000 5000000}"
export PGHOST="${PGHOST:-localhost}" PGUSER="${PGUSER:-postgres}"
db=spectrum_bench_funnel
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
seconds() { local s e; s=$(date +%s.%N); q -c "$1" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
export SPECTRUM_DB_URL="jdbc:postgresql://$PGHOST:5432/$db"

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, PostgreSQL $(psql -X -At -d postgres -c 'SHOW server_version') (default configuration), $(date -u +%F)"
printf '%-46s %10s %10s %8s\n' "what" "events" "seconds" "ratio"
loaded=0
for n in $SIZES; do
  if [ "$loaded" = 0 ]; then
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
    "$root/spectrum" migrate >/dev/null
  fi
  q -v events=$((n - loaded)) -f "$root/bench/generate.sql" >/dev/null
  loaded=$n
  q -c "CALL warehouse.run_pipeline(refresh => false)"
  q -c "VACUUM ANALYZE"
  "$root/spectrum" apply -f "$root/bench/funnel-bench.yaml" >/dev/null
  q -c "SELECT warehouse.refresh_view('funnel_bench')" >/dev/null    # warm the cache once
  baseline=$(seconds "SELECT count(DISTINCT person) FROM warehouse.event_stream")
  refresh=$(seconds "SELECT warehouse.refresh_view('funnel_bench')")
  printf '%-46s %10d %10.2f %8s\n' "count(DISTINCT person) over the facts" "$n" "$baseline" ""
  printf '%-46s %10d %10.2f %7.1fx\n' "REFRESH CONCURRENTLY analytics.funnel_bench" "$n" "$refresh" "$(echo "$refresh / $baseline" | bc -l)"
done
q -At -c "SELECT step, persons, round(conversion_rate::numeric, 3) FROM analytics.funnel_bench WHERE granularity = 'total' ORDER BY step" | sed 's/^/  total row: step|persons|conversion /'
