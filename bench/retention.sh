#!/usr/bin/env bash
# What the retention purge costs ingest (issue 19's measure: the purge keeps up with 1,000
# webhooks/s while costing ingest <= 5 % of its throughput). dlr-hub on PostgreSQL, with
# forwarding to the stub CRM, loaded by wrk with bench/smsby.lua at a paced RATE (default 1,000
# webhooks/s), alternately without the purge (RETENTION_DAYS=0) and with it (RETENTION_DAYS=30, a
# purge run every second) over a seeded backlog of events 40 days old, RUNS pairs in all, and a
# last run without. Prints one Markdown row per run: 2xx/s, p99, events purged per second, and
# the CPU each accepted webhook cost: dlr-hub's process, and the whole machine's (wrk, stub CRM,
# PostgreSQL with its autovacuum workers, dlr-hub). At a paced rate the machine's CPU per webhook
# is what the purge adds to ingest: with ingest bound by CPU, its throughput falls by that share.
# RATE=0: closed loop instead (as fast as answers come, like bench/run.sh; 2xx/s is then the
# measure, and noisy on a shared machine).
#
#   bench/retention.sh                          # ~9 minutes: five runs at 1,000/s, 60 s warm-up + 30 s each
#   RATE=0 bench/retention.sh                   # closed loop
#   SEED_EVENTS=600000 DURATION=60 RUNS=3 bench/retention.sh
#   BACKLOG=0 SEED_EVENTS=600000 bench/retention.sh   # the steady state of a full window
#
# BACKLOG=1 (default): the purge works through the seeded backlog at full speed during the whole
# run (the worst case: it deletes several times what ingest adds). BACKLOG=0: the seeded events
# leave the window at RATE a second, as in the steady state of a full window, so the purge deletes
# what ingest adds (after a run without purge it first catches up, during the warm-up);
# SEED_EVENTS must cover the whole benchmark (RATE x its seconds).
#
# Needs what bench/run.sh needs (PostgreSQL on 127.0.0.1:5432 as postgres with trust, psql, wrk,
# Java 17, curl); uses the database dlrhub_retention_bench (dropped and created) and ports 18080,
# 18090, 19876. SKIP_BUILD=1 uses the existing target/dlr-hub.jar. The machine should be quiet:
# the machine's CPU column counts every process.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30}
SEED_EVENTS=${SEED_EVENTS:-400000}
RATE=${RATE:-1000}
RUNS=${RUNS:-2}
WARMUP=${WARMUP:-60}
BACKLOG=${BACKLOG:-1}
DB=${BENCH_DB:-dlrhub_retention_bench}
HTTP_PORT=18080 MGMT_PORT=19876 CRM_PORT=18090
JAVA_OPTS=${JAVA_OPTS--XX:+UseSerialGC -Xmx128m -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m}
LOGDIR=bench/logs-retention-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$LOGDIR"

source bench/lib.sh
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

require_tools java psql curl wrk awk
[ "${SKIP_BUILD:-0}" = 1 ] || mvn -q -B package -DskipTests
[ -f target/dlr-hub.jar ] || die "target/dlr-hub.jar missing"

psql_q postgres "DROP DATABASE IF EXISTS $DB" && psql_q postgres "CREATE DATABASE $DB"
java -cp "target/lib/*" bench/CrmStub.java "$CRM_PORT" >"$LOGDIR/crm-stub.log" 2>&1 &
PIDS+=($!)

HUB_PID=
start_hub() { # retention days, interval ms
  env DB_URL="jdbc:postgresql://127.0.0.1:5432/$DB" DB_USER=postgres SMSBY_TOKENS=bench-token \
      CRM_URL="http://127.0.0.1:$CRM_PORT/crm" HTTP_PORT=$HTTP_PORT MANAGEMENT_PORT=$MGMT_PORT LOG_LEVEL=WARN \
      ADMIN_TOKEN=bench-admin RETENTION_DAYS="$1" RETENTION_INTERVAL_MS="$2" \
      java $JAVA_OPTS -jar target/dlr-hub.jar >>"$LOGDIR/dlr-hub.log" 2>&1 &
  HUB_PID=$!
  PIDS+=("$HUB_PID")
  wait_for "http://127.0.0.1:$MGMT_PORT/observe/health/ready" dlr-hub "$HUB_PID" 60 "$LOGDIR/dlr-hub.log"
}
stop_hub() { kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true; }
purged() { curl -s "http://127.0.0.1:$MGMT_PORT/observe/metrics" |
  awk '/^dlrhub_retention_purged_rows_total\{.*table="delivery_event"/ { print int($2) } END { }' | tail -1; }

start_hub 0 600000   # migrates the schema
stop_hub
# the keyset walk's index; migration V6 creates it (here for a branch without V6)
psql_q "$DB" "CREATE INDEX IF NOT EXISTS ix_delivery_event_received ON delivery_event (received_at, event_id)"
if [ "$BACKLOG" = 1 ]; then
  AGE_SQL="now() - interval '40 days' + g * interval '1 millisecond'"
  log "seeding $SEED_EVENTS delivered events 40 days old (an outbox row and an attempt each; two events per message)"
else
  # the window's edge: from 20 s on, RATE events a second leave the 30-day window, as they do once
  # a full window is purged as fast as ingest fills it
  [ "$RATE" -gt 0 ] || die "BACKLOG=0 needs a RATE"
  AGE_SQL="now() - interval '30 days' + interval '20 seconds' + g * (1000.0 / $RATE) * interval '1 millisecond'"
  log "seeding $SEED_EVENTS delivered events that leave the 30-day window at $RATE a second from 20 s on"
fi
psql_q "$DB" "
INSERT INTO delivery_event (event_id, provider, channel, message_id, status, provider_status, received_at, dedup_key, payload)
SELECT gen_random_uuid(), 'smsby', 'SMS', 'old-' || (g / 2), 'DELIVERED', 'DELIVERED',
       $AGE_SQL, 'old' || g, repeat('x', 300)
FROM generate_series(1, $SEED_EVENTS) g;
INSERT INTO outbox (event_id, sink, state, attempts, next_attempt_at, created_at, updated_at)
SELECT event_id, 'crm', 'delivered', 1, received_at, received_at, received_at FROM delivery_event;
INSERT INTO delivery_attempt (outbox_id, event_id, sink, attempt, started_at, duration_ms, outcome, http_status, detail)
SELECT id, event_id, sink, 1, created_at, 3, 'delivered', 200, 'HTTP 200 OK' FROM outbox;
INSERT INTO message_status (provider, message_id, channel, status, status_rank, event_id, updated_at)
SELECT provider, message_id, 'SMS', 'DELIVERED', 3, min(event_id::text)::uuid, max(received_at)
FROM delivery_event GROUP BY provider, message_id;"
psql_q "$DB" "VACUUM ANALYZE"

hub_cpu() { awk '{ print $14 + $15 }' "/proc/$HUB_PID/stat"; }   # clock ticks
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }   # user nice system irq softirq steal
TICKS=$(getconf CLK_TCK)

run() { # label retention-days
  local label=$1 before after line ok p99 dus hub0 hub1 busy0 busy1
  start_hub "$2" 1000
  if [ "$RATE" -gt 0 ]; then export BENCH_RATE=$RATE BENCH_THREADS=2; else unset BENCH_RATE BENCH_THREADS; fi
  # the JIT compiler's work out of the measurement (the purge runs during it too)
  wrk -t2 -c50 -d"${WARMUP}s" --timeout 10s -s bench/smsby.lua \
      "http://127.0.0.1:$HTTP_PORT/webhooks/smsby?token=bench-token" -- "warmup-$label" >"$LOGDIR/wrk-warmup-$label.txt" 2>&1
  before=$(purged); before=${before:-0}
  hub0=$(hub_cpu); busy0=$(machine_busy)
  wrk -t2 -c50 -d"${DURATION}s" --timeout 10s --latency -s bench/smsby.lua \
      "http://127.0.0.1:$HTTP_PORT/webhooks/smsby?token=bench-token" -- "$label" >"$LOGDIR/wrk-$label.txt" 2>&1
  hub1=$(hub_cpu); busy1=$(machine_busy)
  after=$(purged); after=${after:-0}
  line=$(grep '^BENCH_RESULT' "$LOGDIR/wrk-$label.txt") || die "no result from wrk ($label)"
  ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$line"); p99=$(sed -n 's/.* p99_us=\([0-9]*\).*/\1/p' <<<"$line")
  dus=$(sed -n 's/.* duration_us=\([0-9]*\).*/\1/p' <<<"$line")
  stop_hub
  awk -v l="$label" -v d="$2" -v ok="$ok" -v us="$dus" -v p99="$p99" -v p="$((after - before))" -v s="$DURATION" \
      -v hub="$((hub1 - hub0))" -v busy="$((busy1 - busy0))" -v t="$TICKS" -v la="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
    printf "| %s | %s | %.0f | %.1f | %.0f | %.0f | %.0f | %s |\n", l, d, ok / (us / 1e6), p99 / 1000, p / s,
           hub / t * 1e6 / ok, busy / t * 1e6 / ok, la }'
}

echo "| run | RETENTION_DAYS | 2xx/s | p99 ms | events purged/s | dlr-hub CPU µs/webhook | machine CPU µs/webhook | load average |"
echo "|---|---|---:|---:|---:|---:|---:|---|"
log "load: $([ "$RATE" -gt 0 ] && echo "paced at $RATE webhooks/s" || echo "closed loop"), ${WARMUP} s warm-up and ${DURATION} s measured per run"
for i in $(seq 1 "$RUNS"); do
  run "no-purge-$i" 0
  run "purge-$i" 30
done
run "no-purge-$((RUNS + 1))" 0
log "old events left: $(psql_q "$DB" "SELECT COUNT(*) FROM delivery_event WHERE received_at < now() - interval '30 days'") of $SEED_EVENTS; logs in $LOGDIR"
