#!/usr/bin/env bash
# Sessions kept by the pipeline (V15, docs/pipeline.md "Sessions"): loads bench/generate.sql's
# events into its own database in batches, checks that warehouse.sessions and the per-day
# summaries equal V10's full recompute over every fact (EXCEPT ALL both ways), and times the
# refresh of the three session views.
#
#   bench/sessions.sh                          1M events in batches of 50,000
#   EVENTS=300000 BATCH=10000 bench/sessions.sh
#   DB=name bench/sessions.sh                  database name (default spectrum_bench_sessions)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EVENTS="${EVENTS:-1000000}"
BATCH="${BATCH:-50000}"
export PGHOST="${PGHOST:-localhost}" PGUSER="${PGUSER:-postgres}"
db="${DB:-spectrum_bench_sessions}"
export SPECTRUM_DB_URL="jdbc:postgresql://$PGHOST:5432/$db"
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
now() { date +%s.%N; }
seconds() { local s e; s=$(now); q -c "$1" >/dev/null; e=$(now); echo "$e - $s" | bc -l; }

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%F %H:%M UTC')"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
"$root/spectrum" migrate >/dev/null
q -v events="$EVENTS" -f "$root/bench/generate.sql" >/dev/null
q -c "VACUUM ANALYZE staging.raw_events"
printf '%-52s %10.2f s\n' "load $EVENTS events in batches of $BATCH" "$(seconds "CALL warehouse.run_pipeline(refresh => false, batch_size => $BATCH)")"
q -c "VACUUM ANALYZE"

q -At -F' ' <<'SQL'
CREATE TEMP VIEW v10_sessions AS
WITH ordered AS (
    SELECT e.person, e.event_id, e.occurred_at, e.event_type, e.account_id,
           CASE WHEN e.occurred_at - lag(e.occurred_at) OVER w <= interval '30 minutes' THEN 0 ELSE 1 END AS starts_session,
           NOT coalesce(lead(e.occurred_at) OVER w - e.occurred_at <= interval '30 minutes', false) AS ends_session,
           row_number() OVER w AS n
    FROM warehouse.event_stream e
    WINDOW w AS (PARTITION BY e.person ORDER BY e.occurred_at, e.event_id)
), numbered AS (
    SELECT o.*, sum(o.starts_session) OVER (PARTITION BY o.person ORDER BY o.occurred_at, o.event_id
                                            ROWS UNBOUNDED PRECEDING) AS session_number
    FROM ordered o
)
SELECT md5(n.person || '/' || max(n.event_id::text) FILTER (WHERE n.starts_session = 1)) AS session_id,
       n.person,
       coalesce(substr(min(lpad(n.n::text, 20, '0') || n.account_id COLLATE "C")
                           FILTER (WHERE n.account_id IS NOT NULL), 21), '') AS account_id,
       min(n.occurred_at) AS started_at, max(n.occurred_at) AS ended_at,
       extract(epoch FROM max(n.occurred_at) - min(n.occurred_at))::double precision AS duration_seconds,
       count(*) AS event_count,
       max(n.event_type) FILTER (WHERE n.starts_session = 1) AS first_event_type,
       max(n.event_type) FILTER (WHERE n.ends_session) AS last_event_type
FROM numbered n
GROUP BY n.person, n.session_number;
CREATE TEMP TABLE expected AS SELECT * FROM v10_sessions;
CREATE TEMP TABLE kept AS
SELECT session_id, person, account_id, started_at, ended_at,
       extract(epoch FROM ended_at - started_at)::double precision AS duration_seconds,
       event_count, first_event_type, last_event_type
FROM warehouse.sessions;
SELECT format('sessions %s; only in warehouse.sessions %s; only in the V10 definition %s',
              (SELECT count(*) FROM kept),
              (SELECT count(*) FROM (SELECT * FROM kept EXCEPT ALL SELECT * FROM expected) a),
              (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM kept) b));
SELECT format('per-day entries/exits differing from V12''s definition over those sessions: %s',
              (SELECT count(*) FROM (
                  (SELECT (started_at AT TIME ZONE 'UTC')::date, first_event_type, count(*) FROM expected GROUP BY 1, 2
                   EXCEPT ALL SELECT day, event_type, entries FROM warehouse.session_event_types WHERE entries > 0)
                  UNION ALL
                  (SELECT day, event_type, entries FROM warehouse.session_event_types WHERE entries > 0
                   EXCEPT ALL SELECT (started_at AT TIME ZONE 'UTC')::date, first_event_type, count(*) FROM expected GROUP BY 1, 2)) d));
SQL

for view in mv_sessions mv_session_days mv_session_event_types; do
  printf '%-52s %10.2f s\n' "refresh $view CONCURRENTLY" "$(seconds "REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.$view")"
done
printf '%-52s %10.2f s\n' "refresh mv_sessions (plain: readers wait)" "$(seconds "REFRESH MATERIALIZED VIEW analytics.mv_sessions")"
