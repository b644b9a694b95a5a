#!/usr/bin/env bash
# Where dlr-hub's CPU goes under the benchmark's load: one dlr-hub (forwarding to the stub CRM
# unless CRM=0) with a JFR recording from its start, WARMUP s of closed-loop load (wrk, 2 threads,
# 50 connections, bench/smsby.lua) and DURATION s more; then bench/JfrSummary.java prints the
# execution samples of those last DURATION s only (the JIT's warm-up left out).
#
#   bench/profile.sh                      # WARMUP=200 DURATION=60 CRM=1
#   CRM=0 WARMUP=120 bench/profile.sh     # ingest only
#
# The recording is started with the JVM, not later with jcmd: a recording started on a warmed
# process deoptimised its compiled code, so it measured the recompilation (seen here).
# Uses the database dlrhub_profile_bench (dropped and created) and ports 18680, 18690, 19696;
# writes bench/logs-profile-<UTC>/ (hub.jfr, logs, wrk output, summary.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
WARMUP=${WARMUP:-200}
DURATION=${DURATION:-60}
CRM=${CRM:-1}
DB=dlrhub_profile_bench
HTTP_PORT=18680 CRM_PORT=18690 MGMT_PORT=19696
JAVA_OPTS=${JAVA_OPTS--XX:+UseSerialGC -Xmx128m -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m}
LOGDIR=bench/logs-profile-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$LOGDIR"
source bench/lib.sh
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
require_tools java jcmd psql curl wrk
[ -f target/dlr-hub.jar ] || die "target/dlr-hub.jar missing: build it (mvn -q -B package -DskipTests)"
require_free_ports "$HTTP_PORT" "$CRM_PORT" "$MGMT_PORT"
psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS $DB" -qc "CREATE DATABASE $DB"
HUB_ENV=(DB_URL="jdbc:postgresql://127.0.0.1:5432/$DB" DB_USER=postgres SMSBY_TOKENS=bench-token
         HTTP_PORT=$HTTP_PORT MANAGEMENT_PORT=$MGMT_PORT LOG_LEVEL=WARN ADMIN_TOKEN=bench-admin
         GENERATED_TOKENS_FILE="$LOGDIR/generated-tokens.properties")
if [ "$CRM" = 1 ]; then
  java -cp "target/lib/*" bench/CrmStub.java "$CRM_PORT" >"$LOGDIR/crm-stub.log" 2>&1 &
  PIDS+=($!)
  HUB_ENV+=(CRM_URL="http://127.0.0.1:$CRM_PORT/crm")
fi
# DebugNonSafepoints: samples name the line being run, not the last safepoint's
env "${HUB_ENV[@]}" java $JAVA_OPTS -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints \
    -XX:StartFlightRecording=settings=profile,filename="$LOGDIR/hub.jfr" -jar target/dlr-hub.jar >"$LOGDIR/hub.log" 2>&1 &
HUB=$!
PIDS+=($HUB)
wait_for "http://127.0.0.1:$MGMT_PORT/observe/health/ready" dlr-hub "$HUB" 60 "$LOGDIR/hub.log"
load() { wrk -t2 -c50 -d"$2s" --timeout 10s --latency -s bench/smsby.lua \
           "http://127.0.0.1:$HTTP_PORT/webhooks/smsby?token=bench-token" -- "$1" >"$LOGDIR/wrk-$1.txt" 2>&1; }
log "warm-up: ${WARMUP} s of load (forwarding: $CRM)"
load warmup "$WARMUP"
since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
log "profiled: ${DURATION} s of load from $since"
load profiled "$DURATION"
jcmd "$HUB" JFR.dump filename="$PWD/$LOGDIR/hub.jfr" >/dev/null
log "load: $(grep -E 'Requests/sec' "$LOGDIR/wrk-profiled.txt" | tr -s ' ')"
java bench/JfrSummary.java "$LOGDIR/hub.jfr" "$since" | tee "$LOGDIR/summary.txt"
log "recording: $LOGDIR/hub.jfr (open it in JDK Mission Control, or: jfr print --events jdk.ExecutionSample)"
