#!/usr/bin/env bash
# Pipeline load benchmark (bars.md): CALL warehouse.run_pipeline(refresh => false) over 1M and
# 5M generated events, beside a plain single-session INSERT ... SELECT of the same rows into a
# monthly-partitioned table shaped like fact_events with the same primary key, in the same run;
# then 100k new events on top of 5M history, beside the same 100k on an empty warehouse.
#
#   bench/pipeline.sh                 (sizes "1000000 5000000"; SIZES="200000" for a quick look)
#
# Uses its own database spectrum_bench on the local server (dropped and made afresh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZES="${SIZES:-1000000 5000000}"
INCREMENT="${INCREMENT:-100000}"
PGHOST="${PGHOST:-localhost}" PGUSER="${PGUSER:-postgres}"
export PGHOST PGUSER
db=spectrum_bench
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
seconds() { # runs SQL, prints elapsed seconds
  local start end
  start=$(date +%s.%N); q -c "$1" >/dev/null; end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
rate() { printf '%.0f' "$(echo "$1 / $2" | bc -l)"; }

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
SPECTRUM_DB_URL="jdbc:postgresql://$PGHOST:5432/$db" "$root/spectrum" migrate >/dev/null

reset_all() {
  q -c "TRUNCATE staging.raw_events RESTART IDENTITY" \
    -c "TRUNCATE warehouse.fact_events, warehouse.loaded_events, warehouse.identity_links, warehouse.dim_users, warehouse.dim_accounts, warehouse.dim_event_types, warehouse.dim_geography, analytics.pipeline_runs" \
    -c "UPDATE warehouse.pipeline_state SET loaded_through = 0" \
    -c "SELECT warehouse.derive_rebuild(NULL)"   # the derived tables (person-days, counts, sessions) of an empty warehouse
  # drop the partitions too, so that every run makes the ones it needs
  q -At -c "SELECT format('DROP TABLE warehouse.%I;', c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'warehouse.fact_events'::regclass" | q
}

baseline_table() {
  q <<'SQL'
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
CREATE TABLE bench.fact_events (LIKE warehouse.fact_events INCLUDING DEFAULTS, PRIMARY KEY (event_id, occurred_at))
  PARTITION BY RANGE (occurred_at);
DO $$
DECLARE m date;
BEGIN
  FOR m IN SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date FROM staging.raw_events LOOP
    EXECUTE format('CREATE TABLE bench.%I PARTITION OF bench.fact_events FOR VALUES FROM (%L) TO (%L)',
                   'f_' || to_char(m, 'YYYYMM'), m::text || ' 00:00:00+00', (m + interval '1 month')::date::text || ' 00:00:00+00');
  END LOOP;
END $$;
SQL
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(psql -X -At -d postgres -c 'SHOW server_version') (default configuration), $(date -u +%F)"
printf '%-28s %12s %12s %12s %8s\n' "load" "events" "seconds" "rows/s" "ratio"
for n in $SIZES; do
  reset_all
  q -v events="$n" -f "$root/bench/generate.sql" >/dev/null
  q -c "VACUUM ANALYZE staging.raw_events" >/dev/null
  baseline_table
  base=$(seconds "INSERT INTO bench.fact_events (event_id, occurred_at, event_type_key, account_key, user_key, geography_key, revenue, properties, raw_id)
                  SELECT event_id, occurred_at, 1, 1, 1, 1, NULL, properties, id FROM staging.raw_events")
  q -c "DROP SCHEMA bench CASCADE" >/dev/null
  q -c "CHECKPOINT" >/dev/null
  pipe=$(seconds "CALL warehouse.run_pipeline(refresh => false)")
  loaded=$(q -At -c "SELECT count(*) FROM warehouse.fact_events")
  [ "$loaded" = "$n" ] || { echo "pipeline loaded $loaded of $n events" >&2; exit 1; }
  printf '%-28s %12d %12.1f %12s %8s\n' "baseline INSERT ... SELECT" "$n" "$base" "$(rate "$n" "$base")" ""
  printf '%-28s %12d %12.1f %12s %7.0f%%\n' "pipeline (refresh => false)" "$n" "$pipe" "$(rate "$n" "$pipe")" "$(echo "100 * $base / $pipe" | bc -l)"
done

# incremental: INCREMENT new events on top of the last size's history ...
q -c "CHECKPOINT" >/dev/null
q -v events="$INCREMENT" -f "$root/bench/generate.sql" >/dev/null
q -c "VACUUM ANALYZE staging.raw_events" >/dev/null
on_history=$(seconds "CALL warehouse.run_pipeline(refresh => false)")
# ... and the same number on an empty warehouse
reset_all
q -v events="$INCREMENT" -f "$root/bench/generate.sql" >/dev/null
q -c "VACUUM ANALYZE staging.raw_events" >/dev/null
q -c "CHECKPOINT" >/dev/null
on_empty=$(seconds "CALL warehouse.run_pipeline(refresh => false)")
last=${SIZES##* }
printf '%-28s %12d %12.1f %12s\n' "incremental, empty" "$INCREMENT" "$on_empty" "$(rate "$INCREMENT" "$on_empty")"
printf '%-28s %12d %12.1f %12s %7.2fx\n' "incremental, on $last" "$INCREMENT" "$on_history" "$(rate "$INCREMENT" "$on_history")" "$(echo "$on_history / $on_empty" | bc -l)"
