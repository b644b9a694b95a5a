#!/usr/bin/env bash
# Two builds of dlr-hub under the same load, run after one another in turns (A B A B ...), so
# that drift on the machine touches both: "before and after" for a change, on one machine, in
# one command. Each run: a fresh database, dlr-hub started from that checkout, a warm-up, then
# a measured wrk run (bench/smsby.lua) with forwarding to the stub CRM; then the 2xx answers are
# checked against the rows stored. Prints one Markdown row per run and the medians per build:
# 2xx/s, p99, CPU per accepted webhook of dlr-hub's process and of the whole machine.
#
#   bench/compare.sh <checkout A> <checkout B>            # each with target/dlr-hub.jar built
#   RATE=1000 bench/compare.sh ../before .                # paced: then compare the CPU columns
#   RUNS=5 DURATION=60 WARMUP=30 bench/compare.sh A B
#
# RATE=0 (default): closed loop, as bench/run.sh loads (2 threads, 50 connections); 2xx/s is the
# measure. RATE=N: N webhooks/s (smsby.lua's BENCH_RATE); the CPU per webhook is the measure, and
# it holds up better than throughput on a machine that other work shares. Uses the database
# dlrhub_compare_bench (dropped and created per run) and ports 18480, 18490, 19496.
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -eq 2 ] || { echo "usage: bench/compare.sh <checkout A> <checkout B>" >&2; exit 2; }
A=$(cd "$1" && pwd)
B=$(cd "$2" && pwd)
RUNS=${RUNS:-3}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-20}
RATE=${RATE:-0}
DB=dlrhub_compare_bench
HTTP_PORT=18480 CRM_PORT=18490 MGMT_PORT=19496
JAVA_OPTS=${JAVA_OPTS--XX:+UseSerialGC -Xmx128m -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m}
LOGDIR=bench/logs-compare-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$LOGDIR"
TICKS=$(getconf CLK_TCK)

source bench/lib.sh
PIDS=()
HUB_PID=
cleanup() { for pid in "${PIDS[@]}" $HUB_PID; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

require_tools java psql curl wrk awk
for dir in "$A" "$B"; do [ -f "$dir/target/dlr-hub.jar" ] || die "$dir/target/dlr-hub.jar missing: build it (mvn -q -B package -DskipTests)"; done
require_free_ports "$HTTP_PORT" "$CRM_PORT" "$MGMT_PORT"

java -cp "$A/target/lib/*" bench/CrmStub.java "$CRM_PORT" >"$LOGDIR/crm-stub.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$CRM_PORT/count" >/dev/null && break; sleep 0.1; done
crm_count() { curl -sf "http://127.0.0.1:$CRM_PORT/count"; }

hub_cpu() { awk '{ print $14 + $15 }' "/proc/$HUB_PID/stat"; }
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
describe() { (cd "$1" && echo "$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+changes')"); }

wrk_run() { # label seconds -> output file
  if [ "$RATE" -gt 0 ]; then export BENCH_RATE=$RATE BENCH_THREADS=2; fi
  wrk -t2 -c50 -d"$2s" --timeout 10s --latency -s bench/smsby.lua \
      "http://127.0.0.1:$HTTP_PORT/webhooks/smsby?token=bench-token" -- "$1" >"$LOGDIR/wrk-$1.txt" 2>&1 \
    || die "wrk failed ($1), see $LOGDIR/wrk-$1.txt"
}

run() { # side dir run-number -> one row on stdout
  local side=$1 dir=$2 n=$3 label="$1-$3" line ok p99 dus hub0 hub1 busy0 busy1 crm0 crm1 rows
  psql_q postgres "DROP DATABASE IF EXISTS $DB" && psql_q postgres "CREATE DATABASE $DB"
  (cd "$dir" && exec env DB_URL="jdbc:postgresql://127.0.0.1:5432/$DB" DB_USER=postgres SMSBY_TOKENS=bench-token \
      CRM_URL="http://127.0.0.1:$CRM_PORT/crm" HTTP_PORT=$HTTP_PORT MANAGEMENT_PORT=$MGMT_PORT LOG_LEVEL=WARN \
      ADMIN_TOKEN=bench-admin java $JAVA_OPTS -jar target/dlr-hub.jar) >>"$LOGDIR/dlr-hub-$label.log" 2>&1 &
  HUB_PID=$!
  wait_for "http://127.0.0.1:$MGMT_PORT/observe/health/ready" "dlr-hub ($side)" "$HUB_PID" 60 "$LOGDIR/dlr-hub-$label.log"
  wrk_run "warmup-$label" "$WARMUP"
  crm0=$(crm_count); hub0=$(hub_cpu); busy0=$(machine_busy)
  wrk_run "$label" "$DURATION"
  hub1=$(hub_cpu); busy1=$(machine_busy); crm1=$(crm_count)
  line=$(grep '^BENCH_RESULT' "$LOGDIR/wrk-$label.txt") || die "no result from wrk ($label)"
  ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$line"); p99=$(sed -n 's/.* p99_us=\([0-9]*\).*/\1/p' <<<"$line")
  dus=$(sed -n 's/.* duration_us=\([0-9]*\).*/\1/p' <<<"$line")
  kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true; HUB_PID=
  rows=$(psql_q "$DB" "SELECT COUNT(*) FROM delivery_event WHERE message_id LIKE '$label-%'")
  [ "$rows" -ge "$ok" ] || die "$label: $rows rows stored < $ok 2xx answers"
  awk -v s="$side" -v n="$n" -v ok="$ok" -v us="$dus" -v p99="$p99" -v hub="$((hub1 - hub0))" -v busy="$((busy1 - busy0))" \
      -v crm="$((crm1 - crm0))" -v t="$TICKS" -v la="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
    printf "| %s | %d | %.0f | %.1f | %.0f | %.0f | %.0f | %s |\n", s, n, ok / (us / 1e6), p99 / 1000, crm / (us / 1e6),
           hub / t * 1e6 / ok, busy / t * 1e6 / ok, la }'
}

log "A = $A ($(describe "$A")), B = $B ($(describe "$B")); $RUNS runs each, ${WARMUP} s warm-up + ${DURATION} s, $([ "$RATE" -gt 0 ] && echo "paced at $RATE/s" || echo "closed loop")"
ROWS=()
for n in $(seq 1 "$RUNS"); do
  for side in A B; do
    dir=$A; [ "$side" = B ] && dir=$B
    row=$(run "$side" "$dir" "$n")
    log "$row"
    ROWS+=("$row")
  done
done
psql_q postgres "DROP DATABASE IF EXISTS $DB"

{
  echo "## A against B, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- A: \`$A\` ($(describe "$A")); B: \`$B\` ($(describe "$B"))"
  echo "- load: wrk 2 threads, 50 connections, $([ "$RATE" -gt 0 ] && echo "paced at $RATE webhooks/s" || echo "closed loop"); ${WARMUP} s warm-up, ${DURATION} s measured; forwarding to the stub CRM; a fresh database per run; JAVA_OPTS=${JAVA_OPTS}"
  echo
  echo "| build | run | 2xx/s | p99 ms | CRM delivered/s | dlr-hub CPU µs/webhook | machine CPU µs/webhook | load average |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  printf '%s\n' "${ROWS[@]}" | awk -F'|' '
    { side = $2; gsub(/ /, "", side); n[side]++; rps[side, n[side]] = $4; p99[side, n[side]] = $5; hub[side, n[side]] = $7; mach[side, n[side]] = $8 }
    function median(arr, side, k,   i, j, t, v) {
      for (i = 1; i <= k; i++) v[i] = arr[side, i] + 0
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
    }
    END {
      print "| median | 2xx/s | p99 ms | dlr-hub CPU µs/webhook | machine CPU µs/webhook |"
      print "|---|---:|---:|---:|---:|"
      for (s = 1; s <= 2; s++) {
        side = s == 1 ? "A" : "B"
        r[side] = median(rps, side, n[side]); h[side] = median(hub, side, n[side]); m[side] = median(mach, side, n[side])
        printf "| %s | %.0f | %.1f | %.0f | %.0f |\n", side, r[side], median(p99, side, n[side]), h[side], m[side]
      }
      printf "| B / A | %.3f | | %.3f | %.3f |\n", r["B"] / r["A"], h["B"] / h["A"], m["B"] / m["A"]
    }'
  echo
  echo "Logs: \`$LOGDIR/\`."
} | tee "$LOGDIR/results.md"
