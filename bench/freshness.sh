#!/usr/bin/env bash
# Freshness benchmark (bars.md, issue #17): how long it takes to refresh every analytics view at
# 10M events of the shared data set. Loads bench/generate.sql's events into its own database,
# applies three funnels (bench/freshness-funnels.yaml) and the 5-variant x 3-metric experiment
# (bench/freshness-experiment.yaml), then refreshes every materialized view of the analytics
# schema CONCURRENTLY, one by one, timing each and the total. Every materialized view found in
# analytics is timed, so views that later migrations add are picked up without editing this.
# Baselines in the same run: a count(*) scan of warehouse.fact_events, and (for the experiment,
# as bars.md asks) the ordered 3-step funnel's refresh.
#
#   bench/freshness.sh                      10M events; about 30 minutes on 2 busy cores
#   EVENTS=1000000 bench/freshness.sh       a smaller data set
#   REUSE=1 bench/freshness.sh              keep the database if it already holds EVENTS facts
#                                           (skips generating and loading; re-applies and times)
#   DB=name bench/freshness.sh              database name (default spectrum_bench_freshness)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EVENTS="${EVENTS:-10000000}"
export PGHOST="${PGHOST:-localhost}" PGUSER="${PGUSER:-postgres}"
db="${DB:-spectrum_bench_freshness}"
export SPECTRUM_DB_URL="jdbc:postgresql://$PGHOST:5432/$db"
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
now() { date +%s.%N; }
seconds() { local s e; s=$(now); q -c "$1" >/dev/null; e=$(now); echo "$e - $s" | bc -l; }
row() { printf '%-44s %12s %10.2f %s\n' "$1" "$2" "$3" "${4:-}"; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, PostgreSQL $(psql -X -At -d postgres -c 'SHOW server_version') (default configuration), load average $(cut -d' ' -f1-3 /proc/loadavg) (shared with other work), $(date -u '+%F %H:%M UTC')"

loaded=0
if [ "${REUSE:-0}" = 1 ] && psql -X -At -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  loaded=$(q -At -c "SELECT count(*) FROM warehouse.fact_events")
fi
if [ "$loaded" != "$EVENTS" ]; then
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  "$root/spectrum" migrate >/dev/null
  s=$(now); q -v events="$EVENTS" -f "$root/bench/generate.sql" >/dev/null; generated=$(echo "$(now) - $s" | bc -l)
  q -c "VACUUM ANALYZE staging.raw_events"
  load=$(seconds "CALL warehouse.run_pipeline(refresh => false)")
  q -c "VACUUM ANALYZE"
  printf '%-44s %12s %10s %s\n' "what" "events" "seconds" ""
  row "generate (bench/generate.sql)" "$EVENTS" "$generated"
  row "pipeline load (refresh => false)" "$EVENTS" "$load" "$(printf '%.0f rows/s' "$(echo "$EVENTS / $load" | bc -l)")"
else
  printf '%-44s %12s %10s %s\n' "what" "events" "seconds" ""
  echo "(reusing $db: $loaded facts already loaded)"
fi
q -At -c "SELECT format('storage: %s bytes per event (fact_events %s, dedup registry %s, dimensions %s, staging %s)',
                 round((sum(pg_total_relation_size(c.oid)) FILTER (WHERE n.nspname = 'warehouse'))::numeric / $EVENTS),
                 pg_size_pretty(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname LIKE 'fact_events_y%')),
                 pg_size_pretty(pg_total_relation_size('warehouse.loaded_events')),
                 pg_size_pretty(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname LIKE 'dim_%' OR c.relname = 'identity_links')),
                 pg_size_pretty(pg_total_relation_size('staging.raw_events')))
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = 'r' AND n.nspname IN ('warehouse', 'staging')"

# Baseline: one scan of the facts, warm (run twice, the second timed).
q -c "SELECT count(*) FROM warehouse.fact_events" >/dev/null
scan=$(seconds "SELECT count(*) FROM warehouse.fact_events")
row "baseline: SELECT count(*) FROM fact_events" "$EVENTS" "$scan"

# Definitions: applied afresh (apply creates the view, so this times the first build).
"$root/spectrum" delete -f "$root/bench/freshness-funnels.yaml" >/dev/null 2>&1 || true
"$root/spectrum" delete -f "$root/bench/freshness-experiment.yaml" >/dev/null 2>&1 || true
"$root/spectrum" --version >/dev/null   # builds ./spectrum now if its sources changed, outside the timings
s=$(now); "$root/spectrum" apply -f "$root/bench/freshness-funnels.yaml" | sed 's/^/  /'; funnels=$(echo "$(now) - $s" | bc -l)
row "apply the 3 funnels (create their views)" "$EVENTS" "$funnels"
s=$(now); "$root/spectrum" apply -f "$root/bench/freshness-experiment.yaml" | sed 's/^/  /'; experiment=$(echo "$(now) - $s" | bc -l)
row "apply the experiment (create its view)" "$EVENTS" "$experiment"

# Every materialized view of analytics, refreshed CONCURRENTLY through warehouse.refresh_view.
total=0
declare -A took
# Views that read another materialized view (mv_session_days reads mv_sessions) come after the
# views they read, as in warehouse.refresh_standard_views.
for view in $(q -At -c "SELECT m.matviewname FROM pg_matviews m WHERE m.schemaname = 'analytics'
                        ORDER BY EXISTS (SELECT FROM pg_rewrite r JOIN pg_depend d ON d.objid = r.oid
                                         JOIN pg_class c ON c.oid = d.refobjid AND c.relkind = 'm'
                                         WHERE r.ev_class = format('analytics.%I', m.matviewname)::regclass
                                           AND c.oid <> r.ev_class),
                                 m.matviewname"); do
  t=$(seconds "SELECT warehouse.refresh_view('$view')")
  took[$view]=$t
  total=$(echo "$total + $t" | bc -l)
  row "refresh analytics.$view" "$(q -At -c "SELECT count(*) FROM analytics.$view") rows" "$t" "$(printf '%.1fx the scan' "$(echo "$t / $scan" | bc -l)")"
done
row "TOTAL refresh of every analytics view" "$EVENTS" "$total" "$(printf '(bar <= 60 s: %s)' "$(echo "$total <= 60" | bc -l | sed 's/1/met/;s/0/NOT met/')")"
exp_refresh=${took[experiment_fresh_plans]:-0}
funnel_refresh=${took[funnel_fresh_ordered]:-1}
printf 'experiment: applied in %.2f s, refreshed in %.2f s = %.1fx the ordered funnel'"'"'s refresh (%.2f s) (bar <= 10 s: %s)\n' \
  "$experiment" "$exp_refresh" "$(echo "$exp_refresh / $funnel_refresh" | bc -l)" "$funnel_refresh" \
  "$(echo "$experiment <= 10 && $exp_refresh <= 10" | bc -l | sed 's/1/met/;s/0/NOT met/')"
printf 'retention: refreshed in %.2f s (bar <= 15 s: %s)\n' "${took[mv_retention_cohorts]}" \
  "$(echo "${took[mv_retention_cohorts]} <= 15" | bc -l | sed 's/1/met/;s/0/NOT met/')"
q -At -c "SELECT metric || ' ' || variant || ': persons ' || persons || ', mean ' || round(mean::numeric, 4) FROM analytics.experiment_fresh_plans WHERE metric = 'purchase_rate' ORDER BY variant" | sed 's/^/  experiment row: /'
echo "(database $db kept for REUSE=1; drop it with: psql -c 'DROP DATABASE $db')"
