#!/usr/bin/env bash
# `./spectrum serve` under load (bars.md): on 1M events of history loaded by the pipeline,
#   1. serve with the schedule off (SPECTRUM_PIPELINE_EVERY=off): the maximum rate
#      (MAX_SECONDS at full speed), then the baseline: half that rate for PHASE_SECONDS;
#   2. serve with the pipeline every 30 s: the same half rate for PHASE_SECONDS;
# printed side by side: requests, accepted first time, 503s retried, p50/p99 of every attempt,
# and lost = acknowledged event_ids that are missing (baseline: from staging.raw_events, as
# nothing loads them; with the pipeline: from warehouse.fact_events after a final run).
# The load is bench/IngestBench.java's "load" mode: CLIENTS clients, 500-event batches, a 503 or
# a failed connection retried with the same batch after 200 ms; each run starts with
# WARMUP_SECONDS (default 10) of uncounted batches, so that the service's JIT has compiled its
# hot paths before anything is timed.
#
# Between the two serves the baseline's events (never loaded) are deleted from staging, so the
# pipeline of step 2 works on the same 1M history rather than loading the baseline's backlog.
#
#   bench/serve.sh          (about 5-6 minutes: HISTORY=1000000 MAX_SECONDS=15 PHASE_SECONDS=60 CLIENTS=4 EVERY=30s)
#
# Own database spectrum_serve_bench on the local server (dropped and made afresh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HISTORY="${HISTORY:-1000000}" MAX_SECONDS="${MAX_SECONDS:-15}" PHASE_SECONDS="${PHASE_SECONDS:-60}" CLIENTS="${CLIENTS:-4}"
EVERY="${EVERY:-30s}"
db=spectrum_serve_bench port=18090 key=wk_serve_bench_0123456789
jdbc="jdbc:postgresql://localhost:5432/$db"
logs=$(mktemp -d /tmp/spectrum-serve-bench.XXXXXX)
q() { psql -X -q -v ON_ERROR_STOP=1 -h localhost -U postgres -d "$db" "$@"; }
value() { q -At -c "$1"; }
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
load_avg() { uptime | sed 's/.*load average: //'; }

[ -f "$root/ingest/target/quarkus-app/quarkus-run.jar" ] && [ -f "$root/cli/target/spectrum-cli.jar" ] \
  || (cd "$root" && mvn -q -B package -DskipTests -pl cli,ingest -am)

serve_pid=
start_serve() { # $1 = SPECTRUM_PIPELINE_EVERY, $2 = log name
  SPECTRUM_DB_URL="$jdbc" SPECTRUM_DB_USER=postgres SPECTRUM_PIPELINE_EVERY="$1" SPECTRUM_WRITE_KEYS="bench=$key" \
    QUARKUS_HTTP_PORT=$port QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_LOG_CONSOLE_JSON_ENABLED=false \
    java -Dspectrum.home="$root" -jar "$root/cli/target/spectrum-cli.jar" serve >"$logs/$2.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/q/health/ready" >/dev/null && return; sleep 0.5; done
  echo "serve did not become ready; see $logs/$2.log" >&2; exit 1
}
stop_serve() {
  kill -TERM "$serve_pid"; wait "$serve_pid" || { echo "serve exited non-zero; see $logs" >&2; exit 1; }
  serve_pid=
}
trap '[ -n "$serve_pid" ] && kill -TERM "$serve_pid" 2>/dev/null || true' EXIT
drive() { # $1 = seconds, $2 = rate (0 = max), $3 = phase
  java -cp "$root/cli/target/lib/*" "$root/bench/IngestBench.java" load "http://127.0.0.1:$port" "$key" "$jdbc" \
    "$CLIENTS" "$1" "$2" "$3" | tee -a "$logs/results.txt" | grep '^RESULT'
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, PostgreSQL $(psql -X -At -h localhost -U postgres -d postgres -c 'SHOW server_version'), Java $(java -version 2>&1 | head -1 | cut -d'"' -f2), $(date -u '+%F %H:%M UTC')"
echo "load average at start: $(load_avg)"
psql -X -q -h localhost -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
SPECTRUM_DB_URL="$jdbc" java -Dspectrum.home="$root" -jar "$root/cli/target/spectrum-cli.jar" migrate >/dev/null
start=$(date +%s)
q -v events="$HISTORY" -f "$root/bench/generate.sql" >/dev/null
q -c "VACUUM ANALYZE staging.raw_events" >/dev/null
q -c "CALL warehouse.run_pipeline(refresh => true)" >/dev/null
echo "history: $(value 'SELECT count(*) FROM warehouse.fact_events') events generated and loaded by the pipeline (views refreshed) in $(( $(date +%s) - start )) s"

# 1. schedule off: maximum rate, then the baseline at half of it
start_serve off off
echo "load average before the max-rate run: $(load_avg)"
max=$(drive "$MAX_SECONDS" 0 max)
max_rate=$(field "$max" rate)
half=$(( max_rate / 2 ))
echo "load average before the baseline: $(load_avg)"
off=$(drive "$PHASE_SECONDS" "$half" off)
off_load=$(load_avg)
stop_serve
lost_max=$(value "SELECT count(*) FROM serve_bench_acked a WHERE phase = 'max' AND NOT EXISTS (SELECT 1 FROM staging.raw_events r WHERE r.event_id = a.event_id)")
lost_off=$(value "SELECT count(*) FROM serve_bench_acked a WHERE phase = 'off' AND NOT EXISTS (SELECT 1 FROM staging.raw_events r WHERE r.event_id = a.event_id)")
# back to the 1M history: the unloaded baseline events leave staging
q -c "DELETE FROM staging.raw_events WHERE id > (SELECT loaded_through FROM warehouse.pipeline_state)" -c "VACUUM ANALYZE staging.raw_events" >/dev/null

# 2. the pipeline every 30 s, same half rate
start_serve "$EVERY" every
echo "load average before the run with the pipeline every $EVERY: $(load_avg)"
on=$(drive "$PHASE_SECONDS" "$half" every)
on_load=$(load_avg)
stop_serve
runs=$(grep -c '"event":"pipeline-run"' "$logs/every.log" || true)
run_lines=$(grep '"event":"pipeline-run"' "$logs/every.log" | while read -r line; do
  status=$(grep -o '"status":"[a-z]*"' <<<"$line" | cut -d'"' -f4)
  loaded=$(grep -o '"eventsLoaded":[0-9]*' <<<"$line" | cut -d: -f2 || true)
  secs=$(grep -o '"seconds":[0-9.]*' <<<"$line" | cut -d: -f2)
  echo "$status${loaded:+ $loaded events} in $secs s"
done | paste -sd ';' - | sed 's/;/; /g')
final=$(date +%s)
q -c "CALL warehouse.run_pipeline(refresh => false)" >/dev/null
echo "final pipeline run (after serve stopped): $(( $(date +%s) - final )) s"
lost_on=$(value "SELECT count(*) FROM serve_bench_acked a WHERE phase = 'every' AND NOT EXISTS (SELECT 1 FROM warehouse.fact_events f WHERE f.event_id = a.event_id)")
dup_on=$(value "SELECT count(*) - count(DISTINCT event_id) FROM warehouse.fact_events")

echo
echo "max rate, schedule off, $CLIENTS clients x 500-event batches, ${MAX_SECONDS} s: $max_rate events/s (p50 $(field "$max" p50_ms) ms, p99 $(field "$max" p99_ms) ms, 503s retried $(field "$max" retried_503), lost $lost_max)"
printf '%-34s %16s %22s\n' "at half the max rate ($half events/s)" "schedule off" "pipeline every $EVERY"
row() { printf '%-34s %16s %22s\n' "$1" "$2" "$3"; }
row "seconds" "$(field "$off" seconds)" "$(field "$on" seconds)"
row "events/s achieved" "$(field "$off" rate)" "$(field "$on" rate)"
row "requests" "$(field "$off" requests)" "$(field "$on" requests)"
row "accepted first time" "$(field "$off" first_time_pct)%" "$(field "$on" first_time_pct)%"
row "503s retried" "$(field "$off" retried_503)" "$(field "$on" retried_503)"
row "other failures retried" "$(field "$off" other_failures)" "$(field "$on" other_failures)"
row "p50 (every attempt)" "$(field "$off" p50_ms) ms" "$(field "$on" p50_ms) ms"
row "p99 (every attempt)" "$(field "$off" p99_ms) ms" "$(field "$on" p99_ms) ms"
row "acknowledged events" "$(field "$off" events)" "$(field "$on" events)"
row "lost" "$lost_off (staging)" "$lost_on (facts)"
row "load average at the end" "$off_load" "$on_load"
echo "pipeline runs logged by serve in step 2 (from its start, the first at once; the last cancelled by SIGTERM if one was running): $runs: $run_lines"
echo "facts counted twice: $dup_on; load average at the end: $(load_avg); logs in $logs"
