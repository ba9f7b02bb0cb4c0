#!/usr/bin/env bash
# Data lifecycle benchmark (bars.md, data-model.md Data lifecycle):
#  1. staging after 30 simulated days of steady load (PER_DAY rows a day, received_at backdated),
#     with the default 7-day retention applied once a simulated day: rows and size at the end,
#     the time of each day's removal;
#  2. removing one day's rows from a 10M-row staging table (30 days at PER_DAY), by
#     warehouse.apply_data_retention beside the baseline, a plain one-statement DELETE of the
#     same kind of rows, each while a pgbench client inserts single rows (its worst latency
#     shows whether ingest waited);
#  3. forgetting a person on FORGET_EVENTS events of the shared data set (bench/generate.sql),
#     beside the baseline of refreshing the standard views once.
#
#   bench/lifecycle.sh                 (PER_DAY=BIG_PER_DAY=333334: 10M in 30 days; FORGET_EVENTS=10000000)
#   PER_DAY=30000 BIG_PER_DAY=30000 FORGET_EVENTS=500000 bench/lifecycle.sh     (a quick look)
#   PARTS="2 3" bench/lifecycle.sh     (only some parts)
#
# The load into the warehouse is not timed here (bench/pipeline.sh does): parts 1 and 2 mark the
# staged rows loaded by moving the watermark, which is all that retention looks at. Uses its own
# database spectrum_bench_lifecycle on the local server (dropped and made afresh, dropped at the end).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PER_DAY="${PER_DAY:-333334}"               # part 1: rows a simulated day
BIG_PER_DAY="${BIG_PER_DAY:-$PER_DAY}"      # part 2: rows a day of the 30-day table (333334: 10M)
FORGET_EVENTS="${FORGET_EVENTS:-10000000}"
PARTS="${PARTS:-1 2 3}"
PGHOST="${PGHOST:-localhost}" PGUSER="${PGUSER:-postgres}"
export PGHOST PGUSER
db=spectrum_bench_lifecycle
work="$(mktemp -d)"
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
v() { q -At -c "$1"; }
seconds() { # runs SQL, prints elapsed seconds
  local start end
  start=$(date +%s.%N); q -c "$1" >/dev/null; end=$(date +%s.%N)
  printf '%.2f' "$(echo "$end - $start" | bc -l)"
}

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
SPECTRUM_DB_URL="jdbc:postgresql://$PGHOST:5432/$db" "$root/spectrum" migrate >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, PostgreSQL $(psql -X -At -d postgres -c 'SHOW server_version') (default configuration), $(date -u +%F); other engineers' builds and benchmarks share it"

# Simulated day 1 starts at T0; day d's rows arrive evenly over [T0 + d-1 days, T0 + d days).
T0="$(v "SELECT date_trunc('day', now()) - interval '40 days'")"
insert_day() { # day [rows]
  q -v day="$1" -v n="${2:-$PER_DAY}" -v t0="'$T0'" <<'SQL'
INSERT INTO staging.raw_events (event_id, event_type, account_id, user_id, anonymous_id, occurred_at, received_at, properties, context, source)
SELECT gen_random_uuid(), 'event_' || lpad((g % 30)::text, 2, '0'), 'acct-' || lpad((g % 2000)::text, 4, '0'),
       'user-' || (g::bigint * 7919 % 200000), NULL, x.t, x.t,
       jsonb_build_object('plan', 'pro', 'path', '/app/reports/' || (g % 997), 'value', g % 1000, 'campaign', 'campaign_' || (g % 50) || '_2026'),
       '{"country": "US", "city": "city-17", "locale": "en-US"}', 'bench'
FROM generate_series(1, :n) g,
     LATERAL (SELECT :t0::timestamptz + (:day - 1) * interval '1 day' + (g::double precision / :n) * interval '1 day' AS t) x;
SQL
}
mark_loaded() { q -c "UPDATE warehouse.pipeline_state SET loaded_through = (SELECT coalesce(max(id), 0) FROM staging.raw_events)"; }
as_of_day() { v "SELECT '$T0'::timestamptz + $1 * interval '1 day'"; }
staging_days() { v "SELECT round(extract(epoch FROM max(received_at) - min(received_at)) / 86400, 2) FROM staging.raw_events"; }
size() { v "SELECT pg_size_pretty(pg_total_relation_size('staging.raw_events'))"; }

# pgbench: one client inserting one row per transaction for $1 seconds; prints the worst latency (ms)
start_ingest() {
  cat >"$work/insert.sql" <<'SQL'
INSERT INTO staging.raw_events (event_id, event_type, user_id, occurred_at, received_at, source) VALUES (gen_random_uuid(), 'bench_probe', 'probe', now(), now(), 'probe');
SQL
  (cd "$work" && rm -f pgbench_log.* && pgbench -n -c 1 -T "$1" -f insert.sql -l "$db" >/dev/null 2>&1) &
  ingest_pid=$!
  sleep 1
}
worst_latency() {
  wait "$ingest_pid"
  awk '{ if ($3 > m) m = $3; n++ } END { printf "%.1f ms worst of %d inserts", m / 1000, n }' "$work"/pgbench_log.*
}

if [[ " $PARTS " == *" 1 "* ]]; then
  echo
  echo "1. 30 simulated days at $PER_DAY events a day, retention $(v "SELECT value FROM warehouse.settings WHERE name = 'staging_retention'") applied at the end of each day"
  printf '%5s %12s %10s %10s %12s %10s\n' "day" "removed" "seconds" "vacuum s" "staged" "size"
  total_removed=0; worst=0
  for day in $(seq 1 30); do
    insert_day "$day"; mark_loaded
    s=$(seconds "CALL warehouse.apply_data_retention(NULL, as_of => '$(as_of_day "$day")')")
    # a simulated day lasts seconds, too short for autovacuum to come by: do its day's work now
    vac=$(seconds "VACUUM staging.raw_events")
    staged=$(v "SELECT count(*) FROM staging.raw_events")
    removed=$(( day * PER_DAY - staged ))
    delta=$(( removed - total_removed )); total_removed=$removed
    if (( day % 5 == 0 || day == 8 )); then printf '%5d %12d %10s %10s %12d %10s\n' "$day" "$delta" "$s" "$vac" "$staged" "$(size)"; fi
    if (( $(echo "$s > $worst" | bc -l) )); then worst=$s; fi
  done
  echo "after 30 days: $(v "SELECT count(*) FROM staging.raw_events") rows spanning $(staging_days) days, $(size) (baseline, no retention: $((30 * PER_DAY)) rows, 30 days); slowest daily removal ${worst} s"
fi

if [[ " $PARTS " == *" 2 "* ]]; then
  echo
  echo "2. one day's rows removed from a staging table of $((30 * BIG_PER_DAY)) rows (30 days, all loaded)"
  q -c "TRUNCATE staging.raw_events RESTART IDENTITY" -c "UPDATE warehouse.pipeline_state SET loaded_through = 0"
  for day in $(seq 1 30); do insert_day "$day" "$BIG_PER_DAY"; done
  mark_loaded
  q -c "VACUUM ANALYZE staging.raw_events"
  before=$(v "SELECT count(*) FROM staging.raw_events")
  q -c "SELECT warehouse.set_setting('staging_retention', '29d', 'bench')" >/dev/null
  # each of the two from the same state: no checkpoint left over from the inserts above
  q -c "CHECKPOINT"
  start_ingest 12
  s=$(seconds "CALL warehouse.apply_data_retention(NULL, as_of => '$(as_of_day 30)')")
  lat=$(worst_latency)
  after=$(v "SELECT count(*) FROM staging.raw_events WHERE source = 'bench'")
  printf '  %-58s %9d rows %7s s   ingest meanwhile: %s\n' "warehouse.apply_data_retention (primary-key chunks)" $((before - after)) "$s" "$lat"
  cutoff=$(v "SELECT '$(as_of_day 30)'::timestamptz - interval '28 days'")
  q -c "CHECKPOINT"
  start_ingest 12
  s=$(seconds "DELETE FROM staging.raw_events WHERE source = 'bench' AND id <= (SELECT loaded_through FROM warehouse.pipeline_state) AND received_at < '$cutoff'")
  lat=$(worst_latency)
  after2=$(v "SELECT count(*) FROM staging.raw_events WHERE source = 'bench'")
  printf '  %-58s %9d rows %7s s   ingest meanwhile: %s\n' "baseline: one DELETE ... WHERE received_at < cutoff" $((after - after2)) "$s" "$lat"
  q -c "SELECT warehouse.set_setting('staging_retention', '7d', 'bench')" >/dev/null
fi

if [[ " $PARTS " == *" 3 "* ]]; then
  echo
  echo "3. forgetting a person on $FORGET_EVENTS events (bench/generate.sql, loaded by the pipeline; staging keeps its last 7 days)"
  q -c "TRUNCATE staging.raw_events RESTART IDENTITY" -c "UPDATE warehouse.pipeline_state SET loaded_through = 0"
  q -v events="$FORGET_EVENTS" -f "$root/bench/generate.sql" >/dev/null
  s=$(seconds "CALL warehouse.run_pipeline(refresh => false)")
  echo "  (load, not the figure here: ${s} s; it removed $(v "SELECT sum(staging_removed) FROM analytics.pipeline_runs") staging rows older than 7 days on the way)"
  q -c "VACUUM ANALYZE" >/dev/null
  echo "  facts $(v "SELECT count(*) FROM warehouse.fact_events"), staging $(v "SELECT count(*) FROM staging.raw_events")"
  base=$(seconds "SELECT warehouse.refresh_standard_views()")
  printf '  %-58s %7s s\n' "baseline: refresh the standard views once" "$base"
  for who in user-4242:false user-4243:true; do
    id=${who%%:*}; refresh=${who##*:}
    n=$(v "SELECT count(*) FROM warehouse.event_stream WHERE person = '$id'")
    s=$(seconds "CALL warehouse.forget_person('$id', refresh => $refresh)")
    printf '  %-58s %7s s   (%s events)\n' "forget_person('$id', refresh => $refresh)" "$s" "$n"
  done
  v "SELECT 'audit: ' || string_agg(events_removed || ' events, ' || staging_rows_removed || ' staging rows', '; ') FROM warehouse.forgotten_persons"
fi
