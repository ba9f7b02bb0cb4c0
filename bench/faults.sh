#!/usr/bin/env bash
# The fault suite (bars.md, Reliability; issue 16): nothing acknowledged is lost and nothing is
# counted twice while PostgreSQL restarts, the ingest process is killed, pipelines run at once or
# are cut off, the database runs out of connections and ingest is saturated. Clients retry
# blindly (bench/FaultDriver.java). Each run ends with CALL warehouse.run_pipeline() and checks
# every acknowledged id in warehouse.fact_events exactly once, no id no client sent, nothing
# half-written, no pipeline run left 'running'. Fails on any loss or double count.
#
#   bench/faults.sh                 (as root: it makes its own PostgreSQL cluster "faults" on
#                                    port 5433 and removes it at the end, also on failure)
#   CLIENTS=4 BATCH=50 RATE=5       (clients, events per batch, batches/s per client)
#   RUNS="1 5"                      (only some of the fault runs)
#
# Uses its own PostgreSQL so that restarting it disturbs nothing else on the machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${PG_VERSION:-$(ls /etc/postgresql | sort -n | tail -n 1)}"
cluster=faults pgport=5433 http=18433 db=spectrum_faults
CLIENTS="${CLIENTS:-4}" BATCH="${BATCH:-50}" RATE="${RATE:-5}" RUNS="${RUNS:-1 2 3 4 5 6 7}"
work="$(mktemp -d /tmp/spectrum-faults.XXXXXX)"
pglog="/var/log/postgresql/postgresql-$version-$cluster.log"
key="wk_faults_$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
ingest_pid="" load_pid="" loop_pid=""
started_all=$(date +%s)

want() { [[ " $RUNS " == *" $1 "* ]]; }
log() { printf '%s faults: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
q() { psql -X -q -v ON_ERROR_STOP=1 -h localhost -p "$pgport" -U postgres -d "$db" "$@"; }
pgctl() { pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" "$@"; }
now_ms() { date +%s%3N; }
marker() { printf '%s\t%s\n' "$(now_ms)" "$1" >> "$run_dir/markers.tsv"; }

cleanup() {
  local rc=$?
  [ -n "$loop_pid" ] && kill "$loop_pid" 2>/dev/null || true
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null || true
  [ -n "$ingest_pid" ] && kill -9 "$ingest_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  pg_dropcluster --stop "$version" "$cluster" 2>/dev/null || true
  if [ "$rc" -ne 0 ]; then
    echo "faults: FAILED (exit $rc); logs kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# --- the cluster of its own ---------------------------------------------------------------------
if pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version $cluster"; then
  log "removing a cluster '$cluster' left by an earlier run"
  pg_dropcluster --stop "$version" "$cluster"
fi
log "creating PostgreSQL $version cluster '$cluster' on port $pgport"
pg_createcluster "$version" "$cluster" -p "$pgport" >/dev/null
conf="/etc/postgresql/$version/$cluster"
# trust for local and loopback connections: the test logs in as postgres and as two roles
# without passwords (nothing but this machine can reach the cluster; it is removed at the end)
cat > "$conf/pg_hba.conf" <<'EOF'
local all all trust
host  all all 127.0.0.1/32 trust
host  all all ::1/128 trust
EOF
cat > "$conf/conf.d/faults.conf" <<'EOF'
# small, so that fault 6 can take every connection; fsync stays on: durability is what is tested
max_connections = 40
superuser_reserved_connections = 3
listen_addresses = 'localhost'
EOF
pgctl start
for _ in $(seq 1 30); do pg_isready -q -h localhost -p "$pgport" && break; sleep 0.5; done

psql -X -q -h localhost -p "$pgport" -U postgres -d postgres -c "CREATE DATABASE ${db}_template"
SPECTRUM_DB_URL="jdbc:postgresql://localhost:$pgport/${db}_template" SPECTRUM_DB_USER=postgres "$root/spectrum" migrate >/dev/null
psql -X -q -h localhost -p "$pgport" -U postgres -d postgres \
  -c "CREATE ROLE faults_ingest LOGIN IN ROLE spectrum_ingest" -c "CREATE ROLE faults_hog LOGIN"
[ -f "$root/ingest/target/quarkus-app/quarkus-run.jar" ] || (cd "$root" && mvn -q -B -ntp package -DskipTests -pl ingest -am)
[ -d "$root/cli/target/lib" ] || (cd "$root" && mvn -q -B -ntp package -DskipTests -pl cli -am)

# the write key as a mounted Secret lays it out: never on a command line, never in a log
mkdir -m 700 "$work/keys" && printf '%s\n' "$key" > "$work/keys/faults" && chmod 600 "$work/keys/faults"

# --- helpers ------------------------------------------------------------------------------------
start_ingest() { # [VAR=value ...]
  env SPECTRUM_DB_URL="jdbc:postgresql://localhost:$pgport/$db" SPECTRUM_DB_USER=faults_ingest SPECTRUM_DB_PASSWORD= \
    SPECTRUM_WRITE_KEYS_DIR="$work/keys" QUARKUS_HTTP_PORT=$http "$@" \
    java -Xmx512m -jar "$root/ingest/target/quarkus-app/quarkus-run.jar" >> "$work/ingest.log" 2>&1 &
  ingest_pid=$!
}
await_ingest() {
  for _ in $(seq 1 120); do curl -sf "http://localhost:$http/q/health/ready" >/dev/null && return 0; sleep 0.25; done
  echo "faults: the ingest service did not become ready; see $work/ingest.log" >&2; return 1
}
stop_ingest() { [ -n "$ingest_pid" ] && kill "$ingest_pid" 2>/dev/null && wait "$ingest_pid" 2>/dev/null || true; ingest_pid=""; }
kill_ingest() { kill -9 "$ingest_pid"; wait "$ingest_pid" 2>/dev/null || true; ingest_pid=""; }
# (bash reports each "Killed" ingest process: that is the kill -9 of faults 2 and 3)

start_load() { # [clients batch rate]
  FAULTS_WRITE_KEY="$key" java -cp "$root/cli/target/lib/*" "$root/bench/FaultDriver.java" load "http://localhost:$http" \
    "$run_dir" "${1:-$CLIENTS}" "${2:-$BATCH}" "${3:-$RATE}" > "$run_dir/driver.log" 2>&1 &
  load_pid=$!
  # the driver compiles itself first (a few seconds)
  for _ in $(seq 1 240); do [ -f "$run_dir/started" ] && return 0; kill -0 "$load_pid" 2>/dev/null || break; sleep 0.25; done
  echo "faults: the load driver did not start:"; cat "$run_dir/driver.log"; return 1
}
stop_load() { touch "$run_dir/stop"; wait "$load_pid"; load_pid=""; }
pipeline() { q -c "CALL warehouse.run_pipeline()" >/dev/null; }

begin_run() { # number title
  run_no=$1 run_title=$2 run_dir="$work/run$1"
  mkdir -p "$run_dir"; : > "$run_dir/markers.tsv"
  log "run $1: $2"
  psql -X -q -h localhost -p "$pgport" -U postgres -d postgres \
    -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db TEMPLATE ${db}_template"
  start_ingest "${@:3}"
  await_ingest
}

results="$work/results.tsv"
printf 'run\tfault\tsent\tacknowledged\tretried\tloaded\tduplicates skipped\tlost\tdoubled\trecovery (s)\n' > "$results"
failed=0
end_run() { # finishes the load, runs the pipeline, checks
  stop_load
  pipeline
  stop_ingest
  q <<SQL > "$run_dir/check.txt"
CREATE TEMP TABLE sent (id uuid PRIMARY KEY, batch int NOT NULL);
CREATE TEMP TABLE acked (id uuid PRIMARY KEY);
\copy sent FROM '$run_dir/sent.tsv'
\copy acked FROM '$run_dir/acked.tsv'
ANALYZE sent; ANALYZE acked;
\pset tuples_only on
\pset format unaligned
\pset fieldsep '='
SELECT 'lost', count(*) FROM acked a WHERE NOT EXISTS (SELECT FROM warehouse.fact_events f WHERE f.event_id = a.id);
SELECT 'doubled', count(*) FROM (SELECT event_id FROM warehouse.fact_events GROUP BY event_id HAVING count(*) > 1) d;
SELECT 'unknown_ids', count(*) FROM warehouse.fact_events f WHERE NOT EXISTS (SELECT FROM sent s WHERE s.id = f.event_id);
SELECT 'half_written_batches', count(*) FROM (
    SELECT s.batch, count(*) AS size, count(r.event_id) AS present
    FROM sent s LEFT JOIN (SELECT DISTINCT event_id FROM staging.raw_events) r ON r.event_id = s.id
    GROUP BY s.batch) b
WHERE present NOT IN (0, size);
SELECT 'runs_left_running', count(*) FROM analytics.pipeline_runs WHERE status = 'running';
SELECT 'runs_failed', count(*) FROM analytics.pipeline_runs WHERE status = 'failed';
SELECT 'runs', count(*) FROM analytics.pipeline_runs;
SELECT 'loaded', coalesce(sum(events_loaded), 0) FROM analytics.pipeline_runs;
SELECT 'duplicates_skipped', coalesce(sum(duplicates_skipped), 0) FROM analytics.pipeline_runs;
SELECT 'facts', count(*) FROM warehouse.fact_events;
SELECT 'staged', count(*) FROM staging.raw_events;
SELECT 'stored_unacknowledged', count(*) FROM warehouse.fact_events f WHERE NOT EXISTS (SELECT FROM acked a WHERE a.id = f.event_id);
SQL
  val() { { grep -h "^$1=" "$run_dir/check.txt" "$run_dir/summary.txt" || true; } | head -n 1 | cut -d= -f2-; }
  local recovery
  recovery=$( (grep '^recovery ' "$run_dir/summary.txt" || true) | sed 's/^recovery //' | awk -F= '{printf "%s%s %s", (NR>1?"; ":""), $1, $2}')
  [ -n "$recovery" ] || recovery="n/a"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run_no" "$run_title" "$(val events_sent)" "$(val events_acknowledged)" \
    "$(val events_retried)" "$(val loaded)" "$(val duplicates_skipped)" "$(val lost)" "$(val doubled)" "$recovery" >> "$results"
  echo "  sent $(val events_sent), acknowledged $(val events_acknowledged), unacknowledged $(val events_unacknowledged)," \
       "requests $(val requests), retried $(val requests_retried) requests / $(val events_retried) events," \
       "503 $(val answers_503), other 5xx $(val answers_other_5xx), connection errors $(val connection_errors), timeouts $(val timeouts)"
  echo "  pipeline: $(val runs) runs ($(val runs_failed) failed), loaded $(val loaded), duplicates skipped $(val duplicates_skipped)," \
       "staged $(val staged), facts $(val facts) ($(val stored_unacknowledged) stored though never acknowledged)"
  echo "  lost $(val lost), doubled $(val doubled), unknown ids $(val unknown_ids), half-written batches $(val half_written_batches)," \
       "runs left running $(val runs_left_running)"
  echo "  time to 2xx again: $recovery"
  grep '^message_503=' "$run_dir/summary.txt" | sed 's/^message_503=/  503 body: /' | sort -u | head -n 3 || true
  local bad=""
  [ "$(val lost)" = 0 ] || bad="$bad lost"
  [ "$(val doubled)" = 0 ] || bad="$bad doubled"
  [ "$(val unknown_ids)" = 0 ] || bad="$bad unknown-ids"
  [ "$(val half_written_batches)" = 0 ] || bad="$bad half-written"
  [ "$(val runs_left_running)" = 0 ] || bad="$bad run-left-running"
  [ "$(val answers_4xx)" = 0 ] || bad="$bad 4xx-answers"
  [ "$(val answers_503_without_retry_after)" = 0 ] || bad="$bad 503-without-Retry-After"
  [ "$(val events_acknowledged)" -gt 0 ] || bad="$bad nothing-acknowledged"
  [ "$(val facts)" = "$(val loaded)" ] || bad="$bad loaded-count-differs"
  if [ -n "$bad" ]; then echo "  RUN $run_no FAILED:$bad"; failed=1; else echo "  run $run_no: ok"; fi
}

# --- 1. PostgreSQL restarted during the load: fast and immediate, twice each ------------------
if want 1; then
begin_run 1 "PostgreSQL restarted (fast, immediate, fast, immediate)"
start_load; sleep 3
for round in 1 2; do
  for mode in fast immediate; do
    pgctl restart -m "$mode"; marker "pg-$mode-$round"; sleep 4
  done
done
end_run
fi

# --- 2. the ingest process killed (kill -9) during the load, started again, twice -------------
if want 2; then
begin_run 2 "ingest killed with kill -9 and started again"
start_load; sleep 3
for round in 1; do
  kill_ingest; sleep 1; start_ingest; marker "ingest-launched-$round"; await_ingest; marker "ingest-ready-$round"; sleep 4
done
end_run
fi

# --- 3. both at once, with the pipeline running every 2 s throughout ---------------------------
if want 3; then
begin_run 3 "PostgreSQL restarted and ingest killed at once, pipeline every 2 s"
start_load
( while :; do q -c "CALL warehouse.run_pipeline()" >/dev/null 2>&1 || true; sleep 2; done ) & loop_pid=$!
sleep 3
for mode in immediate; do
  kill -9 "$ingest_pid"; pgctl restart -m "$mode"; wait "$ingest_pid" 2>/dev/null || true
  start_ingest; marker "pg-$mode+ingest-launched"; await_ingest; marker "pg-$mode+ingest-ready"; sleep 5
done
kill "$loop_pid" 2>/dev/null; wait "$loop_pid" 2>/dev/null || true; loop_pid=""
end_run
fi

# --- 4. two, then three pipeline runs started at the same moment, during the load --------------
if want 4; then
begin_run 4 "2, then 3 pipeline runs started at once during the load"
start_load; sleep 4
for n in 2 3; do
  pids=""
  for _ in $(seq 1 "$n"); do q -c "CALL warehouse.run_pipeline()" >/dev/null & pids="$pids $!"; done
  for p in $pids; do wait "$p"; done
  sleep 3
done
end_run
fi

# --- 5. a pipeline run's backend terminated midway through a batch -----------------------------
if want 5; then
begin_run 5 "pipeline backend terminated (pg_terminate_backend) midway"
start_load; sleep 8
( q -c "CALL warehouse.run_pipeline(refresh => false, batch_size => 200)" > "$run_dir/cut-pipeline.log" 2>&1 || true ) & cut_pid=$!
q <<'SQL' > "$run_dir/terminate.log" 2>&1
DO $$
DECLARE victim int;
BEGIN
    FOR i IN 1..1500 LOOP
        PERFORM pg_stat_clear_snapshot();
        SELECT a.pid INTO victim FROM pg_stat_activity a
        WHERE a.query ILIKE 'CALL warehouse.run_pipeline%' AND a.state = 'active' AND a.pid <> pg_backend_pid()
          AND EXISTS (SELECT FROM analytics.pipeline_runs r WHERE r.status = 'running' AND r.raw_to >= r.raw_from);
        IF victim IS NOT NULL THEN
            PERFORM pg_terminate_backend(victim);
            RAISE NOTICE 'terminated the pipeline run of backend % after its first batch', victim;
            RETURN;
        END IF;
        PERFORM pg_sleep(0.01);
    END LOOP;
    RAISE EXCEPTION 'the pipeline run was never caught midway';
END $$;
SQL
wait "$cut_pid"
grep -q "terminat" "$run_dir/cut-pipeline.log" || { echo "faults: the pipeline run was not cut off:"; cat "$run_dir/cut-pipeline.log"; exit 1; }
sleep 2
end_run
q -At -F ' ' -c "SELECT 'pipeline run', run_id, status, 'staging ids', raw_from, raw_to, 'loaded', events_loaded, coalesce(error, '')
                 FROM analytics.pipeline_runs ORDER BY run_id" | sed 's/^/  /'
[ "$(grep -h '^runs_failed=' "$run_dir/check.txt" | cut -d= -f2)" -ge 1 ] || { echo "faults: the cut-off run is not recorded as failed"; exit 1; }
fi

# --- 6. the database out of connections (another client holds them all) -----------------------
if want 6; then
begin_run 6 "database out of connections (another client holds all)"
start_load; sleep 3
# another client takes every connection, and the slots of ingest's own connections as they are
# ended (as when the server recycles them): ingest must get new ones and finds none for 8 s
java -cp "$root/cli/target/lib/*" "$root/bench/FaultDriver.java" hog "jdbc:postgresql://localhost:$pgport/postgres" faults_hog 8 \
  "jdbc:postgresql://localhost:$pgport/postgres" faults_ingest > "$run_dir/hog.log" 2>&1
marker "connections-released"
sed 's/^/  /' "$run_dir/hog.log" | head -n 1
sleep 4
end_run
fi

# --- 7. ingest saturated: 1 write slot, 16 clients sending as fast as they can -----------------
# (a request waits at most 1 ms for the slot: on a quiet machine 2 slots and a 100 ms wait served
# every request and the run saw no 503 at all)
if want 7; then
begin_run 7 "ingest saturated (1 write slot, 16 clients at full speed)" \
  SPECTRUM_INGEST_MAX_CONCURRENT_WRITES=1 SPECTRUM_INGEST_SATURATION_WAIT=1ms
start_load 16 500 100; sleep 10
end_run
[ "$(grep -h '^answers_503=' "$run_dir/summary.txt" | cut -d= -f2)" -gt 0 ] || { echo "faults: run 7 never saturated ingest"; exit 1; }
fi

# --- keys never in any log ------------------------------------------------------------------------
if grep -rqF "$key" "$work"/*.log "$work"/run*/ "$pglog" 2>/dev/null; then
  echo "faults: FAILED: the write key appears in a log:"; grep -rlF "$key" "$work"/*.log "$work"/run*/ "$pglog"; failed=1
else
  log "the write key appears in no log (ingest, driver, PostgreSQL)"
fi

echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, PostgreSQL $version; load average $(cut -d' ' -f1-3 /proc/loadavg) (shared with other work)"
echo "clients $CLIENTS x batches of $BATCH at $RATE/s each (run 7: 16 x 500 at full speed); total $(( $(date +%s) - started_all )) s"
column -t -s $'\t' "$results"
exit "$failed"
