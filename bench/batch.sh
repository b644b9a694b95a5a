#!/usr/bin/env bash
# Big Infobip requests (issue 20, target 3: a request with 1,000 reports is stored in one
# transaction in <= 100 ms p50, warm, and forwarded like any other). Starts dlr-hub on its own
# PostgreSQL database with the stub CRM as its CRM, posts Infobip requests of REPORTS reports one
# at a time with wrk (bench/batch.lua): a warm-up, then the measured run. Reports p50/p90/p99/max,
# the events the answers listed, the rows stored against the reports acknowledged, the
# transactions that stored them (PostgreSQL's xmin) against the requests, and, once the outbox has
# drained, the CRM's POSTs against the events.
#
#   bench/batch.sh                                # 30 s warm-up, 60 s measured
#   DURATION_WARMUP=10 DURATION=20 bench/batch.sh  # a quick check
#   CRM=0 bench/batch.sh                          # without a CRM: ingest alone
#   PAUSE_MS=1500 bench/batch.sh                  # a pause after each answer: the CRM keeps up
#
# Needs what bench/run.sh needs (PostgreSQL on 127.0.0.1:5432 as postgres with trust, psql, wrk,
# Java 17, curl). Uses the database dlrhub_batch_bench (dropped and created; dropped at the end
# unless KEEP=1) and ports 18280, 20076, 18290. Prints a Markdown table; writes nothing to
# RESULTS.md. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

REPORTS=${REPORTS:-1000}
DURATION=${DURATION:-60}
DURATION_WARMUP=${DURATION_WARMUP:-30}
CRM=${CRM:-1}
PAUSE_MS=${PAUSE_MS:-0}
KEEP=${KEEP:-0}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-300}
DB=${BENCH_DB:-dlrhub_batch_bench}
HTTP_PORT=${BENCH_HTTP_PORT:-18280}
MGMT_PORT=${BENCH_MANAGEMENT_PORT:-20076}
CRM_PORT=${BENCH_CRM_PORT:-18290}
TOKEN=bench-token
# 1,000 reports are ~0.6 MB of JSON: far over the 64 KiB default
MAX_BODY=${MAX_BODY_BYTES:-4194304}
JAVA_OPTS=${JAVA_OPTS--XX:+UseSerialGC -Xmx128m -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m}
LOGDIR=bench/logs-batch-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$LOGDIR"

source bench/lib.sh
load() { cut -d' ' -f1 /proc/loadavg; }

for n in REPORTS DURATION DURATION_WARMUP DRAIN_TIMEOUT MAX_BODY PAUSE_MS; do
  [[ "${!n}" =~ ^[0-9]+$ ]] || die "$n must be a whole number"
done
[ "$REPORTS" -ge 1 ] && [ "$DURATION" -ge 1 ] || die "REPORTS and DURATION must be at least 1"
[[ "$DB" =~ ^[a-z_][a-z0-9_]*$ ]] || die "BENCH_DB must be a plain lower-case name"
case "$DB" in test | postgres | template0 | template1 | dlrhub_search_bench | dlrhub_bench) die "BENCH_DB=$DB: not a database this script may drop" ;; esac

HUB_PID=
CRM_PID=
CREATED_DB=0
cleanup() {
  if [ -n "$HUB_PID" ]; then kill "$HUB_PID" 2>/dev/null || true; wait "$HUB_PID" 2>/dev/null || true; fi
  if [ -n "$CRM_PID" ]; then kill "$CRM_PID" 2>/dev/null || true; wait "$CRM_PID" 2>/dev/null || true; fi
  if [ "$CREATED_DB" = 1 ] && [ "$KEEP" != 1 ]; then
    log "dropping database $DB (KEEP=1 keeps it)"
    psql_q postgres "DROP DATABASE IF EXISTS $DB" || true
  fi
}
trap cleanup EXIT

require_tools java psql curl wrk awk
require_free_ports "$HTTP_PORT" "$MGMT_PORT" "$CRM_PORT"
if [ ! -f target/dlr-hub.jar ]; then log "building target/dlr-hub.jar"; mvn -q -B -DskipTests package; fi

crm_count() { if [ "$CRM" = 1 ]; then curl -s --max-time 5 "http://127.0.0.1:$CRM_PORT/count" || echo 0; else echo 0; fi; }
outbox_pending() { psql_q "$DB" "SELECT count(*) FROM outbox WHERE state = 'pending'"; }

log "creating database $DB"
psql_q postgres "DROP DATABASE IF EXISTS $DB"
psql_q postgres "CREATE DATABASE $DB"
CREATED_DB=1

CRM_ENV=()
if [ "$CRM" = 1 ]; then
  java -cp "target/lib/*" bench/CrmStub.java "$CRM_PORT" >"$LOGDIR/crm-stub.log" 2>&1 &
  CRM_PID=$!
  wait_for "http://127.0.0.1:$CRM_PORT/count" "stub CRM" "$CRM_PID" 180 "$LOGDIR"
  CRM_ENV=(CRM_URL="http://127.0.0.1:$CRM_PORT/crm")
fi
log "starting dlr-hub (MAX_BODY_BYTES=$MAX_BODY, CRM=$CRM)"
env DB_URL="jdbc:postgresql://127.0.0.1:5432/$DB" DB_USER=postgres INFOBIP_TOKENS="$TOKEN" "${CRM_ENV[@]}" \
    MAX_BODY_BYTES="$MAX_BODY" HTTP_PORT="$HTTP_PORT" MANAGEMENT_PORT="$MGMT_PORT" LOG_LEVEL=WARN ADMIN_TOKEN=bench-admin \
    java $JAVA_OPTS -jar target/dlr-hub.jar >>"$LOGDIR/dlr-hub.log" 2>&1 &
HUB_PID=$!
wait_for "http://127.0.0.1:$MGMT_PORT/observe/health/ready" "dlr-hub" "$HUB_PID" 180 "$LOGDIR"

post() { # label seconds -> BATCH_RESULT line; one connection: one request at a time
  local out="$LOGDIR/wrk-$1.txt"
  BENCH_TOKEN=$TOKEN timeout $(( $2 + 60 )) wrk -t1 -c1 -d"$2s" --timeout 30s -s bench/batch.lua \
      "http://127.0.0.1:$HTTP_PORT" -- "$1" "$REPORTS" "$PAUSE_MS" >"$out" 2>&1 || die "wrk failed ($1), see $out"
  grep '^BATCH_RESULT' "$out" || die "no result from wrk ($1), see $out"
}
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

log "warm-up: ${DURATION_WARMUP} s of ${REPORTS}-report requests, load $(load)"
post warmup "$DURATION_WARMUP" >/dev/null
LOAD_BEFORE=$(load)
CRM_BEFORE=$(crm_count)
log "measuring: ${DURATION} s, load $LOAD_BEFORE"
LINE=$(post run "$DURATION")
LOAD_AFTER=$(load)
log "$LINE"
PENDING_AT_END=$(outbox_pending)

# what the measured requests stored: rows, and the transactions that wrote them (xmin)
read -r ROWS TRANSACTIONS OUTBOX_ROWS < <(psql_q "$DB" "SELECT count(*), count(DISTINCT xmin::text),
    (SELECT count(*) FROM outbox o JOIN delivery_event e ON e.event_id = o.event_id WHERE e.message_id LIKE 'run-%')
  FROM delivery_event WHERE message_id LIKE 'run-%'" | tr '|' ' ')

DRAIN_TEXT="-"
CRM_TEXT="- (CRM=0)"
if [ "$CRM" = 1 ]; then
  t0=$(date +%s)
  while [ "$(outbox_pending)" -gt 0 ] && [ $(( $(date +%s) - t0 )) -lt "$DRAIN_TIMEOUT" ]; do sleep 1; done
  PENDING=$(outbox_pending)
  if [ "$PENDING" -eq 0 ]; then
    DRAIN_TEXT="$PENDING_AT_END pending when the run ended, drained $(( $(date +%s) - t0 )) s later"
  else
    DRAIN_TEXT="NOT drained: $PENDING pending after ${DRAIN_TIMEOUT} s"
  fi
  CRM_POSTS=$(crm_count)
  EVENTS_ALL=$(psql_q "$DB" "SELECT count(*) FROM delivery_event")
  CRM_TEXT="$CRM_POSTS POSTs for $EVENTS_ALL events (warm-up included; at least one each when drained)"
fi
stop_hub() { kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true; HUB_PID=; }
stop_hub

OK=$(kv ok "$LINE")
ROW=$(awk -v r="$(kv requests "$LINE")" -v ok="$OK" -v bad="$(kv non2xx "$LINE")" -v ev="$(kv events "$LINE")" \
  -v acc="$(kv accepted "$LINE")" -v short="$(kv short "$LINE")" -v rep="$REPORTS" -v rows="$ROWS" -v tx="$TRANSACTIONS" \
  -v p50="$(kv p50_us "$LINE")" -v p90="$(kv p90_us "$LINE")" -v p99="$(kv p99_us "$LINE")" -v max="$(kv max_us "$LINE")" \
  -v dus="$(kv duration_us "$LINE")" -v la="$LOAD_BEFORE / $LOAD_AFTER" 'BEGIN {
    printf "| %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f | %d | %d of %d (%d accepted; %d answers short) | %d | %d | %s |",
      r, rep, p50 / 1000, p90 / 1000, p99 / 1000, max / 1000, r / (dus / 1e6), r * rep / (dus / 1e6), bad,
      ev, ok * rep, acc, short, rows, tx, la }')
VERDICT=PASS
[ "$ROWS" -ge "$(( OK * REPORTS ))" ] || VERDICT="FAIL: fewer rows than reports acknowledged"
[ "$(kv short "$LINE")" = 0 ] && [ "$(kv non2xx "$LINE")" = 0 ] || VERDICT="FAIL: an answer that was not 2xx or did not list every report"
if [ "$CRM" = 1 ] && [ "$PENDING" -eq 0 ] && [ "$CRM_POSTS" -lt "$EVENTS_ALL" ]; then
  VERDICT="FAIL: the outbox drained but the CRM got fewer POSTs than events"
fi

{
  echo "## Infobip requests of $REPORTS reports, one at a time, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), PostgreSQL $(psql_q postgres "SHOW server_version"), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "- load: wrk, 1 connection, each request sent ${PAUSE_MS} ms after the previous answer arrived; ${DURATION_WARMUP} s of warm-up (not in the table), then ${DURATION} s measured; CRM=${CRM}; JAVA_OPTS=${JAVA_OPTS:-none}"
  echo "- rows stored ≥ reports acknowledged (rows may exceed them by a request in flight when wrk stopped), every answer listing every report, the CRM's POSTs ≥ events once drained: $VERDICT"
  echo "- outbox rows of the measured events: $OUTBOX_ROWS; outbox: $DRAIN_TEXT; CRM: $CRM_TEXT"
  echo
  echo "| requests | reports each | p50 ms | p90 ms | p99 ms | max ms | requests/s | reports/s | non-2xx | events answered of reports acknowledged | rows stored | transactions | load average (1 min) before / after |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|"
  echo "$ROW"
  echo
  echo "Logs: \`$LOGDIR/\`."
} | tee "$LOGDIR/results.md"
[ "$VERDICT" = PASS ]
