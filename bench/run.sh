#!/usr/bin/env bash
# dlr-hub benchmark, same load, same machine: dlr-hub with CRM forwarding on and off, the plain Camel
# route an integration engineer writes for the same job (bench/plain-camel/), and a hand-written
# Vert.x + JDBC receiver (bench/BaselineServer.java).
# One command from anywhere: bench/run.sh     (bench/README.md explains every setting and number)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
cd "$REPO"

# ---------------------------------------------------------------- settings (environment)
secs() { # "30" or "30s" -> 30
  local v=${1%s}
  [[ $v =~ ^[0-9]+$ ]] || { echo "not a number of seconds: $1" >&2; exit 2; }
  echo "$v"
}
DURATION_WARMUP=$(secs "${DURATION_WARMUP:-80s}")
DURATION=$(secs "${DURATION:-15s}")
RUNS=${RUNS:-3}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-50}
WRK_TIMEOUT=$(secs "${WRK_TIMEOUT:-10s}")
SKIP_BUILD=${SKIP_BUILD:-0}
SOAK=${SOAK:-0}
# dlr-hub's CRM forwarding: both = one dlr-hub with it on and one with it off; 1 = on only; 0 = off only
CRM=${CRM:-both}
[[ $CRM =~ ^(both|0|1)$ ]] || { echo "CRM must be both, 0 or 1, not: $CRM" >&2; exit 2; }
CDS=${CDS:-1}
SOAK_SECONDS=$(secs "${SOAK_SECONDS:-600}")
SOAK_INTERVAL=$(secs "${SOAK_INTERVAL:-10}")
SOAK_FRACTION=${SOAK_FRACTION:-0.7}
DRAIN_TIMEOUT=$(secs "${DRAIN_TIMEOUT:-120}")
DRAIN_BETWEEN=${DRAIN_BETWEEN:-0}
STARTUP_TIMEOUT=$(secs "${STARTUP_TIMEOUT:-180}")
IDLE_SECONDS=$(secs "${IDLE_SECONDS:-5}")
QUIET_WAIT=$(secs "${QUIET_WAIT:-30}")
# the JVM options docs/operations.md "JVM options, memory and start-up" recommends (and docker/Dockerfile sets), for both servers alike
JAVA_OPTS=${JAVA_OPTS--XX:+UseSerialGC -Xmx128m -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m}
PGHOST_BENCH=${PGHOST_BENCH:-127.0.0.1}
PGPORT_BENCH=${PGPORT_BENCH:-5432}
PGUSER_BENCH=${PGUSER_BENCH:-postgres}
HUB_DB=dlrhub_bench               # dlr-hub, forwarding on
HUB_INGEST_DB=dlrhub_ingest_bench # dlr-hub, forwarding off
PC_DB=plaincamel_bench            # the plain Camel route
BASE_DB=baseline_bench
HTTP_PORT=${BENCH_HTTP_PORT:-18080}
MANAGEMENT_PORT=${BENCH_MANAGEMENT_PORT:-19876}
BASELINE_PORT=${BENCH_BASELINE_PORT:-18081}
PLAIN_CAMEL_PORT=${BENCH_PLAIN_CAMEL_PORT:-18082}
CRM_STUB_PORT=${BENCH_CRM_PORT:-18090}
SMSBY_TOKEN=bench-token
ADMIN_TOKEN=bench-admin
HUB_URL="http://127.0.0.1:${HTTP_PORT}/webhooks/smsby?token=${SMSBY_TOKEN}"
BASE_URL="http://127.0.0.1:${BASELINE_PORT}/webhooks/smsby?token=${SMSBY_TOKEN}"
PC_URL="http://127.0.0.1:${PLAIN_CAMEL_PORT}/webhooks/smsby?token=${SMSBY_TOKEN}"
READY_URL="http://127.0.0.1:${MANAGEMENT_PORT}/observe/health/ready"

TS=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS="bench/results-${TS}.md"
LOGDIR="bench/logs-${TS}"
mkdir -p "$LOGDIR"
CLK_TCK=$(getconf CLK_TCK)
SCRIPT_T0=$(date +%s)
VERIFY_FAILED=0
ODD=() # remarks collected on the way, printed at the end

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
odd() { ODD+=("$*"); log "NOTE: $*"; }

# ---------------------------------------------------------------- process bookkeeping
PIDS=()
stop_pid() { # pid [grace seconds]: SIGTERM, wait, SIGKILL
  local pid=$1 grace=${2:-45} i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "pid $pid did not stop within ${grace}s; SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}
forget_pid() {
  local keep=() p
  for p in ${PIDS[@]+"${PIDS[@]}"}; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=(${keep[@]+"${keep[@]}"})
}
cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in ${PIDS[@]+"${PIDS[@]}"}; do kill -TERM "$p" 2>/dev/null || true; done
  for p in ${PIDS[@]+"${PIDS[@]}"}; do stop_pid "$p" 45; done
  [ "$rc" -ne 0 ] && log "exit code $rc; logs in $LOGDIR/"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers
psql_q() { # db sql -> unaligned, tuples only
  PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -At \
    -h "$PGHOST_BENCH" -p "$PGPORT_BENCH" -U "$PGUSER_BENCH" -d "$1" -c "$2"
}
proc_ticks() { # pid -> utime+stime in clock ticks (fields 14, 15 of /proc/pid/stat)
  local s
  s=$(cat "/proc/$1/stat")
  s=${s##*) } # drop "pid (comm) ": comm may contain spaces
  # shellcheck disable=SC2086
  set -- $s # now $1 = state (field 3), so utime = $12, stime = $13
  echo $(( ${12} + ${13} ))
}
stub_ticks() { # CPU ticks of the stub CRM, "-" once it is stopped (the baseline's runs)
  if [ -n "${STUB_PID:-}" ] && kill -0 "$STUB_PID" 2>/dev/null; then proc_ticks "$STUB_PID"; else echo -; fi
}
pg_ticks() { # CPU ticks of PostgreSQL: utime+stime of every live postgres process, plus cutime+cstime
  # (fields 16, 17: children that exited and were reaped, i.e. finished backends and autovacuum workers)
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } |
    awk '$2 == "(postgres)" { t += $14 + $15 + $16 + $17 } END { printf "%d\n", t }'
}
machine_cpu() { # "<busy ticks> <total ticks> <steal ticks>" summed over all cores, from /proc/stat
  awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t, $9; exit }' /proc/stat
}
status_kb() { # pid field -> kB (VmRSS, VmHWM)
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}
reset_hwm() { # make VmHWM the current RSS so each run reports its own peak
  if ! echo 5 >"/proc/$1/clear_refs" 2>/dev/null; then
    [ -n "${HWM_WARNED:-}" ] || odd "cannot write /proc/<pid>/clear_refs: peak RSS is the peak since process start"
    HWM_WARNED=1
  fi
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
need_port() { port_free "$1" || die "port $1 is already in use on 127.0.0.1 (another dlr-hub or benchmark running? ports: BENCH_*_PORT)"; }
all_ticks() { # "pid ticks comm" for every user-space process (utime+stime); kernel threads (children of
  # kthreadd, pid 2) are left out: their work (block I/O for PostgreSQL's WAL, ...) is caused by the load itself
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '{
    rest = $0; sub(/^.*\) /, "", rest); split(rest, f, " ")
    if ($1 == 2 || f[2] == 2) next
    comm = $0; sub(/^[0-9]+ \(/, "", comm); sub(/\) [^)]*$/, "", comm); gsub(/ /, "_", comm)
    print $1, f[12] + f[13], comm }'
}
foreign_cpu() { # before-file after-file seconds our-pids... -> "<% of one core> <top consumers>"
  # CPU used during the run by processes that are neither ours nor PostgreSQL (other work on the machine)
  local before=$1 after=$2 secs=$3; shift 3
  awk -v secs="$secs" -v tck="$CLK_TCK" -v ours="$*" '
    BEGIN { n = split(ours, o, " "); for (i = 1; i <= n; i++) mine[o[i]] = 1 }
    FNR == NR { t0[$1] = $2; next }
    $3 == "postgres" || ($1 in mine) { next }
    { d = $2 - (($1 in t0) ? t0[$1] : 0); if (d > 0) { total += d; by[$3] += d } }
    END {
      top = ""
      for (k = 0; k < 3; k++) { best = ""; bv = 0
        for (c in by) if (by[c] > bv) { bv = by[c]; best = c }
        if (best == "") break
        top = top (top == "" ? "" : ",") best ":" sprintf("%.0f%%", 100 * bv / tck / secs); delete by[best] }
      printf "%.0f %s\n", 100 * total / tck / secs, (top == "" ? "-" : top) }' "$before" "$after"
}
http_code() { curl -s -o /dev/null --max-time 2 -w '%{http_code}' "$1" 2>/dev/null || true; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
median() { # numbers as arguments -> median ("-" ignored)
  printf '%s\n' "$@" | grep -v '^-$' | sort -g | awk '{ a[NR] = $1 } END {
    if (NR == 0) { print "-"; exit }
    if (NR % 2) v = a[(NR + 1) / 2]; else v = (a[NR / 2] + a[NR / 2 + 1]) / 2
    print v }'
}
fmt() { # number decimals -> formatted, "-" stays
  if [ "$1" = "-" ]; then echo "-"; else calc "$1" "$2"; fi
}
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

wait_ready() { # pid url label -> prints ms since $3 start stamp in global START_MS
  local pid=$1 url=$2 label=$3 deadline
  deadline=$(( $(now_ms) + STARTUP_TIMEOUT * 1000 ))
  while :; do
    kill -0 "$pid" 2>/dev/null || die "$label exited during start-up (see $LOGDIR/)"
    [ "$(http_code "$url")" = 200 ] && break
    [ "$(now_ms)" -lt "$deadline" ] || die "$label not ready after ${STARTUP_TIMEOUT}s (see $LOGDIR/)"
    sleep 0.05
  done
  echo $(( $(now_ms) - START_MS ))
}

crm_count() { curl -s --max-time 5 "http://127.0.0.1:${CRM_STUB_PORT}/count" || echo 0; }
outbox_pending() { psql_q "$CUR_HUB_DB" "SELECT COUNT(*) FROM outbox WHERE state = 'pending'"; }
wait_drain() { # until no outbox row is pending, at most DRAIN_TIMEOUT s; sets PENDING and DRAIN_FROM_MS
  local deadline
  DRAIN_FROM_MS=$(now_ms); deadline=$(( DRAIN_FROM_MS + DRAIN_TIMEOUT * 1000 ))
  log "waiting for the outbox to drain (max ${DRAIN_TIMEOUT}s)"
  while :; do
    PENDING=$(outbox_pending)
    [ "$PENDING" -eq 0 ] && break
    [ "$(now_ms)" -lt "$deadline" ] || break
    sleep 0.5
  done
}
hub_accepted() { # server-side count of accepted sms.by webhooks (Prometheus counter)
  curl -s --max-time 5 "http://127.0.0.1:${MANAGEMENT_PORT}/observe/metrics" |
    awk '/^dlrhub_webhooks_total\{/ && /provider="smsby"/ && /result="accepted"/ { s += $NF } END { printf "%d\n", s }'
}

wait_quiet() { # our-pid what: before a run, wait (at most QUIET_WAIT s) until other processes use < 15 % of a core
  local deadline b a other top t0 waited=0
  [ "$QUIET_WAIT" -gt 0 ] || return 0
  t0=$(now_ms); deadline=$(( t0 + QUIET_WAIT * 1000 ))
  b="$LOGDIR/quiet-before.txt"; a="$LOGDIR/quiet-after.txt"
  while :; do
    all_ticks >"$b"; sleep 2; all_ticks >"$a"
    read -r other top < <(foreign_cpu "$b" "$a" 2 $$ "$1" ${STUB_PID:-})
    if [ "$other" -lt 15 ]; then
      [ "$waited" = 0 ] || log "quiet after $(( ($(now_ms) - t0) / 1000 )) s"
      return 0
    fi
    if [ "$(now_ms)" -ge "$deadline" ]; then
      odd "$2: other processes still used ${other}% CPU ($top) after waiting ${QUIET_WAIT}s for a quiet machine; ran anyway"
      return 0
    fi
    [ "$waited" = 1 ] || log "other processes use ${other}% CPU ($top); waiting up to ${QUIET_WAIT}s for a quiet machine"
    waited=1
  done
}

# ---------------------------------------------------------------- one wrk run
# run_load server label url pid seconds -> appends a row to $LOGDIR/<server>.tsv, adds to TOTAL_OK[<server>]
# servers: dlrhub (forwarding on), dlrhub_ingest (forwarding off), plaincamel, baseline
declare -A TOTAL_OK=([dlrhub]=0 [dlrhub_ingest]=0 [plaincamel]=0 [baseline]=0)
declare -A NAME=([dlrhub]="dlr-hub, forwarding on" [dlrhub_ingest]="dlr-hub, forwarding off"
  [plaincamel]="plain Camel route" [baseline]="baseline")
WRK_CMD_SHOWN=""
run_load() {
  local server=$1 label=$2 url=$3 pid=$4 dur=$5 what="${NAME[$1]} $2"
  local out="$LOGDIR/wrk-${server}-${label}.txt" tfile="$LOGDIR/wrk-${server}-${label}.time"
  local t0 t1 c0 c1 pg0 pg1 m0 m1 crm0=0 crm1=0 line ok bad p50 p99 dus errs statuses pending="-" stub_up=0
  local cmd=(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${dur}s" --timeout "${WRK_TIMEOUT}s" --latency
    -s bench/smsby.lua "$url" -- "$label")
  [ "$label" != run1 ] || [ -n "$WRK_CMD_SHOWN" ] ||
    WRK_CMD_SHOWN="${cmd[*]:0:$(( ${#cmd[@]} - 3 ))} '$url' -- $label"
  log "$what, ${dur}s: ${cmd[*]}"
  wait_quiet "$pid" "$what"
  reset_hwm "$pid"
  # CRM delivered/s whenever the stub runs (dlr-hub with forwarding off must show 0; the baseline runs without it)
  [ -n "${STUB_PID:-}" ] && kill -0 "$STUB_PID" 2>/dev/null && stub_up=1
  [ "$stub_up" = 0 ] || crm0=$(crm_count)
  all_ticks >"$LOGDIR/procs-before.txt"
  m0=$(machine_cpu); pg0=$(pg_ticks); c0=$(proc_ticks "$pid"); s0=$(stub_ticks); t0=$(now_ms)
  local TIMEFORMAT='%3U %3S'
  if ! { time timeout --kill-after=10 "$(( dur + 60 ))" "${cmd[@]}" >"$out" 2>&1; } 2>"$tfile"; then
    cat "$out" >&2
    die "wrk failed ($what)"
  fi
  t1=$(now_ms); c1=$(proc_ticks "$pid"); s1=$(stub_ticks); pg1=$(pg_ticks); m1=$(machine_cpu)
  all_ticks >"$LOGDIR/procs-after.txt"
  [ "$stub_up" = 0 ] || crm1=$(crm_count)
  case $server in dlrhub*) pending=$(outbox_pending) ;; esac
  local hwm_kb; hwm_kb=$(status_kb "$pid" VmHWM)
  kill -0 "$pid" 2>/dev/null || die "${NAME[$server]} died during $label"
  line=$(grep '^BENCH_RESULT' "$out" || true)
  [ -n "$line" ] || { cat "$out" >&2; die "no BENCH_RESULT line from wrk ($what)"; }
  ok=$(kv ok "$line"); bad=$(kv non2xx "$line"); p50=$(kv p50_us "$line"); p99=$(kv p99_us "$line")
  dus=$(kv duration_us "$line"); errs=$(kv errors "$line"); statuses=$(kv statuses "$line")
  TOTAL_OK[$server]=$(( TOTAL_OK[$server] + ok ))
  local wall_s rps cpu_s cpu_pct pg_pct stub_pct wrk_pct crm_ps busy_pct steal_pct other_pct other_top
  wall_s=$(calc "($t1 - $t0) / 1000" 3)
  rps=$(calc "$ok / ($dus / 1000000)" 1)
  cpu_s=$(calc "($c1 - $c0) / $CLK_TCK" 2)
  cpu_pct=$(calc "100 * $cpu_s / $wall_s" 0)
  pg_pct=$(calc "100 * ($pg1 - $pg0) / $CLK_TCK / $wall_s" 0)
  if [ "$s0" = - ] || [ "$s1" = - ]; then stub_pct=-; else stub_pct=$(calc "100 * ($s1 - $s0) / $CLK_TCK / $wall_s" 0); fi
  read -r busy_pct steal_pct < <(echo "$m0 $m1" | awk '{ dt = $5 - $2; if (dt <= 0) dt = 1
    printf "%.0f %.1f\n", 100 * ($4 - $1) / dt, 100 * ($6 - $3) / dt }')
  wrk_pct=$(awk -v w="$wall_s" '{ printf "%.0f", 100 * ($1 + $2) / w }' "$tfile")
  if [ "$stub_up" = 1 ]; then crm_ps=$(calc "($crm1 - $crm0) / $wall_s" 1); else crm_ps="-"; fi
  [ "$bad" -eq 0 ] || odd "$what: $bad non-2xx answers (statuses $statuses)"
  [ "$errs" = "connect:0,read:0,write:0,timeout:0" ] || odd "$what: wrk socket errors $errs"
  read -r other_pct other_top < <(foreign_cpu "$LOGDIR/procs-before.txt" "$LOGDIR/procs-after.txt" "$wall_s" \
    $$ "$pid" ${STUB_PID:-})
  [ "$other_pct" -lt 10 ] || odd "$what: other processes on the machine used ${other_pct}% CPU (100 = one core) during the run (top: $other_top): numbers disturbed"
  [ "${steal_pct%.*}" -lt 5 ] || odd "$what: ${steal_pct}% CPU steal (a noisy neighbour on this VM)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$label" "$ok" "$bad" "$rps" "$(calc "$p50 / 1000" 2)" "$(calc "$p99 / 1000" 2)" "$cpu_s" "$cpu_pct" \
    "$(calc "$hwm_kb / 1024" 0)" "$crm_ps" "$pg_pct" "$wrk_pct" "$pending" "$busy_pct" "$other_pct" "$statuses" "$errs" "$stub_pct" \
    >>"$LOGDIR/${server}.tsv"
  log "$what: 2xx=$ok non2xx=$bad 2xx/s=$rps p50=$(calc "$p50 / 1000" 2)ms p99=$(calc "$p99 / 1000" 2)ms" \
    "cpu=${cpu_s}s (${cpu_pct}%) peakRSS=$(calc "$hwm_kb / 1024" 0)MB crm/s=$crm_ps pg=${pg_pct}% stub=${stub_pct}% wrk=${wrk_pct}%" \
    "machine=${busy_pct}% steal=${steal_pct}% others=${other_pct}% pending=$pending"
}

# ---------------------------------------------------------------- 1. tools and build
if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO timeout 300 apt-get install -y wrk >"$LOGDIR/apt.log" 2>&1 ||
    { $SUDO timeout 300 apt-get update >>"$LOGDIR/apt.log" 2>&1 &&
      $SUDO timeout 300 apt-get install -y wrk >>"$LOGDIR/apt.log" 2>&1; } ||
    die "could not install wrk (see $LOGDIR/apt.log)"
fi
for tool in java mvn psql curl wrk awk getconf; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done
PC_JAR=bench/plain-camel/target/plain-camel.jar
if [ "$SKIP_BUILD" = 1 ]; then
  log "SKIP_BUILD=1: using the existing target/ and bench/plain-camel/target/"
else
  log "building: mvn -q -B package -DskipTests"
  mvn -q -B package -DskipTests >"$LOGDIR/build.log" 2>&1 || { tail -50 "$LOGDIR/build.log" >&2; die "build failed"; }
  log "building the plain Camel route: mvn -q -B -f bench/plain-camel/pom.xml package"
  mvn -q -B -f bench/plain-camel/pom.xml package >"$LOGDIR/build-plain-camel.log" 2>&1 ||
    { tail -50 "$LOGDIR/build-plain-camel.log" >&2; die "build of bench/plain-camel failed"; }
fi
[ -f target/dlr-hub.jar ] && [ -d target/lib ] || die "target/dlr-hub.jar or target/lib missing: build first"
[ -f "$PC_JAR" ] || die "$PC_JAR missing: build it first (mvn -q -B -f bench/plain-camel/pom.xml package)"
for p in "$HTTP_PORT" "$MANAGEMENT_PORT" "$BASELINE_PORT" "$PLAIN_CAMEL_PORT" "$CRM_STUB_PORT"; do need_port "$p"; done

# ---------------------------------------------------------------- machine info
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM_TOTAL=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
JAVA_VERSION=$(java -version 2>&1 | sed -n 2p)
PG_VERSION=$(psql_q postgres "SELECT version()")
WRK_VERSION=$(wrk -v 2>&1 | head -1 | sed 's/ Copyright.*//' || true)
GIT_REV=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
MACHINE_INFO=$(cat <<EOF
- nproc: $(nproc); CPU: ${CPU_MODEL:-unknown}
- memory: ${MEM_TOTAL}; kernel: $(uname -r)
- Java: ${JAVA_VERSION}
- PostgreSQL: ${PG_VERSION} (${PGHOST_BENCH}:${PGPORT_BENCH}, default server settings)
- wrk: ${WRK_VERSION}
- dlr-hub commit: ${GIT_REV}$( [ -n "$(git status --porcelain -- . ':!bench' 2>/dev/null)" ] && echo " (with uncommitted changes)")
- everything (wrk, servers, stub CRM, PostgreSQL) on this one machine over loopback
EOF
)
log "machine:"; echo "$MACHINE_INFO" >&2

# ---------------------------------------------------------------- 2. databases
HUB_KEYS=() # the dlr-hub servers measured, in this order
[ "$CRM" = 0 ] || HUB_KEYS+=(dlrhub)
[ "$CRM" = 1 ] || HUB_KEYS+=(dlrhub_ingest)
SERVERS=("${HUB_KEYS[@]}" plaincamel baseline)
declare -A HUB_DB_OF=([dlrhub]="$HUB_DB" [dlrhub_ingest]="$HUB_INGEST_DB")
DBS=()
for key in "${HUB_KEYS[@]}"; do DBS+=("${HUB_DB_OF[$key]}"); done
DBS+=("$PC_DB" "$BASE_DB")
log "creating databases ${DBS[*]} (dropped first)"
for db in "${DBS[@]}"; do
  psql_q postgres "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  psql_q postgres "CREATE DATABASE $db" >/dev/null
done
psql_q "$BASE_DB" "CREATE TABLE dlr (channel text, message_id text, status text, received_at timestamptz DEFAULT now())" >/dev/null
# the plain Camel route's table (bench/plain-camel/README.md): the three fields and the JSON event it POSTs
psql_q "$PC_DB" "CREATE TABLE dlr_event (channel text, message_id text, status text, payload text, received_at timestamptz DEFAULT now())" >/dev/null

# ---------------------------------------------------------------- 3. stub CRM
STUB_CMD="java -cp \"target/lib/*\" bench/CrmStub.java ${CRM_STUB_PORT}"
log "starting stub CRM: $STUB_CMD"
need_port "$CRM_STUB_PORT"
java -cp "target/lib/*" bench/CrmStub.java "$CRM_STUB_PORT" >"$LOGDIR/crm-stub.log" 2>&1 &
STUB_PID=$!; PIDS+=("$STUB_PID")
START_MS=$(now_ms)
wait_ready "$STUB_PID" "http://127.0.0.1:${CRM_STUB_PORT}/count" "stub CRM" >/dev/null

declare -A STARTUP_MS IDLE_RSS CMD_SHOWN
VERIFY=() # one line per check, for the report

# load_server key url pid: the warm-up (not reported; its 2xx count for verification), then RUNS measured runs
load_server() {
  local key=$1 url=$2 pid=$3 r
  : >"$LOGDIR/${key}.tsv"
  run_load "$key" warmup "$url" "$pid" "$DURATION_WARMUP"
  : >"$LOGDIR/${key}.tsv"
  for ((r = 1; r <= RUNS; r++)); do
    if [ "$DRAIN_BETWEEN" = 1 ] && [[ $key == dlrhub* ]]; then
      wait_drain
      log "outbox: $PENDING pending after $(calc "($(now_ms) - $DRAIN_FROM_MS) / 1000" 1) s"
      [ "$PENDING" -eq 0 ] || odd "${NAME[$key]}: outbox not drained before run$r ($PENDING pending)"
    fi
    run_load "$key" "run$r" "$url" "$pid" "$DURATION"
  done
}

log_problems() { # key logfile lines-before: WARN/ERROR lines logged under load become a remark
  local n
  n=$(tail -n +"$(( $3 + 1 ))" "$2" | grep -cE ' (WARN|ERROR) ' || true)
  [ "$n" -eq 0 ] || odd "${NAME[$1]} logged $n WARN/ERROR lines under load (see $2)"
}

# ---------------------------------------------------------------- 4. dlr-hub, forwarding on and/or off
# Each mode is its own process (forwarding is configuration) with its own database, so both start
# from empty tables. CDS=1: the first start runs without a class-data archive (the cold start) and
# writes it as it stops; both measured starts use it.
HUB_COLD_MS="-"
CDS_OPTS=""
SOAK_TEXT=""
SOAK_KEY=${HUB_KEYS[0]} # SOAK=1: the soak loads the first dlr-hub (forwarding on unless CRM=0)

hub_phase() { # key
  local key=$1 forward=0 logfile="$LOGDIR/${1}.log" log_before crm_before last_end pending_after drain_text
  local rows distinct outbox crm_delta verdict crm_verdict
  [ "$key" = dlrhub ] && forward=1
  CUR_HUB_DB=${HUB_DB_OF[$key]}
  HUB_ENV=(DB_URL="jdbc:postgresql://${PGHOST_BENCH}:${PGPORT_BENCH}/${CUR_HUB_DB}" DB_USER="$PGUSER_BENCH"
    SMSBY_TOKENS="$SMSBY_TOKEN" HTTP_PORT="$HTTP_PORT" MANAGEMENT_PORT="$MANAGEMENT_PORT" LOG_LEVEL=WARN
    ADMIN_TOKEN="$ADMIN_TOKEN" GENERATED_TOKENS_FILE="$LOGDIR/generated-tokens.properties")
  # forwarding off: no CRM_URL, so dlr-hub does what the baseline does plus its own checks;
  # the stub still runs and must then receive nothing from it
  [ "$forward" = 0 ] || HUB_ENV+=(CRM_URL="http://127.0.0.1:${CRM_STUB_PORT}/crm")
  if [ "$CDS" = 1 ] && [ -z "$CDS_OPTS" ]; then
    local archive="$LOGDIR/dlr-hub.jsa" cold_pid
    log "dlr-hub cold start (no class-data archive yet; it writes $archive when stopped)"
    need_port "$HTTP_PORT"; need_port "$MANAGEMENT_PORT"
    # shellcheck disable=SC2086
    env "${HUB_ENV[@]}" java $JAVA_OPTS -XX:ArchiveClassesAtExit="$archive" -jar target/dlr-hub.jar \
      >"$LOGDIR/dlr-hub-cold.log" 2>&1 &
    cold_pid=$!; PIDS+=("$cold_pid")
    START_MS=$(now_ms)
    HUB_COLD_MS=$(wait_ready "$cold_pid" "$READY_URL" "dlr-hub (cold)")
    log "dlr-hub cold start: ready after ${HUB_COLD_MS} ms"
    stop_pid "$cold_pid" 60; forget_pid "$cold_pid"
    [ -s "$archive" ] || die "the cold start wrote no class-data archive (see $LOGDIR/dlr-hub-cold.log)"
    CDS_OPTS="-XX:SharedArchiveFile=$archive"
  fi
  # shellcheck disable=SC2086
  CMD_SHOWN[$key]="env ${HUB_ENV[*]} java ${JAVA_OPTS:+$JAVA_OPTS }${CDS_OPTS:+$CDS_OPTS }-jar target/dlr-hub.jar"
  log "starting ${NAME[$key]}: ${CMD_SHOWN[$key]}"
  need_port "$HTTP_PORT"; need_port "$MANAGEMENT_PORT"
  START_MS=$(now_ms)
  # shellcheck disable=SC2086
  env "${HUB_ENV[@]}" java $JAVA_OPTS $CDS_OPTS -jar target/dlr-hub.jar >"$logfile" 2>&1 &
  HUB_PID=$!; PIDS+=("$HUB_PID")
  STARTUP_MS[$key]=$(wait_ready "$HUB_PID" "$READY_URL" "${NAME[$key]}")
  log "${NAME[$key]} ready after ${STARTUP_MS[$key]} ms (pid $HUB_PID)"
  sleep "$IDLE_SECONDS"
  IDLE_RSS[$key]=$(calc "$(status_kb "$HUB_PID" VmRSS) / 1024" 0)
  log "${NAME[$key]} idle RSS after ${IDLE_SECONDS}s: ${IDLE_RSS[$key]} MB"
  log_before=$(wc -l <"$logfile")
  crm_before=$(crm_count)

  load_server "$key" "$HUB_URL" "$HUB_PID"
  last_end=$(now_ms)
  pending_after=$(outbox_pending)
  wait_drain
  if [ "$PENDING" -eq 0 ]; then
    drain_text="drained in $(calc "($(now_ms) - $last_end) / 1000" 1) s after the last run (${pending_after} pending when it ended)"
  else
    drain_text="NOT drained: ${PENDING} still pending after ${DRAIN_TIMEOUT} s"
    odd "${NAME[$key]}: outbox not drained after ${DRAIN_TIMEOUT}s ($PENDING pending)"
  fi
  log "outbox: $drain_text"

  rows=$(psql_q "$CUR_HUB_DB" "SELECT COUNT(*) FROM delivery_event")
  distinct=$(psql_q "$CUR_HUB_DB" "SELECT COUNT(DISTINCT message_id) FROM delivery_event")
  outbox=$(psql_q "$CUR_HUB_DB" "SELECT string_agg(state || '=' || n, ', ' ORDER BY state) FROM (SELECT state, COUNT(*) n FROM outbox GROUP BY state) s")
  crm_delta=$(( $(crm_count) - crm_before ))
  if [ "$rows" -ge "${TOTAL_OK[$key]}" ]; then verdict=PASS; else verdict=FAIL; VERIFY_FAILED=1; fi
  VERIFY+=("${NAME[$key]}: ${rows} rows in delivery_event >= ${TOTAL_OK[$key]} 2xx answers (warm-up included): **${verdict}** (${distinct} distinct message_ids; $(( rows - TOTAL_OK[$key] )) rows committed for requests still in flight when wrk stopped)")
  VERIFY+=("${NAME[$key]}, outbox: ${drain_text}")
  if [ "$forward" = 0 ]; then
    if [ "$crm_delta" -eq 0 ]; then crm_verdict="PASS (forwarding off, nothing sent)"
    else crm_verdict="FAIL: forwarding is off but the stub received POSTs"; VERIFY_FAILED=1; fi
  elif [ "$crm_delta" -ge "$rows" ]; then crm_verdict="PASS (every event delivered at least once)"
  elif [ "$PENDING" -gt 0 ]; then crm_verdict="incomplete: the outbox had not drained"
  else crm_verdict="FAIL: the outbox is empty but events are missing at the CRM"; VERIFY_FAILED=1; fi
  VERIFY+=("${NAME[$key]}, CRM: stub received ${crm_delta} POSTs for ${rows} events (outbox rows: ${outbox:-none}): ${crm_verdict}")
  log "${VERIFY[-3]}"; log "${VERIFY[-1]}"

  if [ "$SOAK" = 1 ] && [ "$key" = "$SOAK_KEY" ]; then soak "$key"; fi

  log_problems "$key" "$logfile" "$log_before"
  log "stopping ${NAME[$key]}"
  stop_pid "$HUB_PID" 45; forget_pid "$HUB_PID"
}

# ---------------------------------------------------------------- optional soak (SOAK=1)
soak() { # key: the running dlr-hub ($HUB_PID, $CUR_HUB_DB)
  local key=$1 hub_median soak_out soak_pid series rss_values=() pending_values=() i target nowv rss pend acc crm ms ips cps
  local prev_acc prev_ms prev_crm soak_acc0 soak_t0 soak_crm0 soak_line s_ok s_bad s_dus soak_end_ms soak_pending_end
  local rss_mid rss_last pend_mid pend_last rss_growing pend_growing soak_drain soak_rows soak_verdict
  hub_median=$(median $(cut -f4 "$LOGDIR/${key}.tsv"))
  SOAK_RATE=$(calc "$SOAK_FRACTION * $hub_median" 0)
  [ "$SOAK_RATE" -ge 1 ] || SOAK_RATE=1
  soak_out="$LOGDIR/wrk-${key}-soak.txt"
  SOAK_CMD=(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${SOAK_SECONDS}s" --timeout "${WRK_TIMEOUT}s" --latency
    -s bench/smsby.lua "$HUB_URL" -- soak)
  log "soak: ${SOAK_SECONDS}s at ${SOAK_RATE}/s (${SOAK_FRACTION} x median ${hub_median}/s): BENCH_RATE=${SOAK_RATE} BENCH_THREADS=${WRK_THREADS} ${SOAK_CMD[*]}"
  soak_acc0=$(hub_accepted)
  soak_t0=$(now_ms)
  BENCH_RATE=$SOAK_RATE BENCH_THREADS=$WRK_THREADS timeout --kill-after=10 "$(( SOAK_SECONDS + 60 ))" "${SOAK_CMD[@]}" >"$soak_out" 2>&1 &
  soak_pid=$!; PIDS+=("$soak_pid")
  series="| t (s) | RSS MB | outbox pending | 2xx so far (server count) | 2xx/s in interval | CRM delivered/s in interval |"$'\n'"|---:|---:|---:|---:|---:|---:|"
  soak_crm0=$(crm_count)
  prev_acc=$soak_acc0; prev_ms=$soak_t0; prev_crm=$soak_crm0
  for ((i = 1; i <= SOAK_SECONDS / SOAK_INTERVAL; i++)); do
    target=$(( soak_t0 + i * SOAK_INTERVAL * 1000 )); nowv=$(now_ms)
    [ "$target" -le "$nowv" ] || sleep "$(calc "($target - $nowv) / 1000" 3)"
    kill -0 "$HUB_PID" 2>/dev/null || die "dlr-hub died during the soak"
    rss=$(calc "$(status_kb "$HUB_PID" VmRSS) / 1024" 0)
    pend=$(outbox_pending); acc=$(hub_accepted); crm=$(crm_count); ms=$(now_ms)
    ips=$(calc "($acc - $prev_acc) * 1000 / ($ms - $prev_ms)" 0)
    cps=$(calc "($crm - $prev_crm) * 1000 / ($ms - $prev_ms)" 0)
    prev_acc=$acc; prev_ms=$ms; prev_crm=$crm
    rss_values+=("$rss"); pending_values+=("$pend")
    series+=$'\n'"| $(( (ms - soak_t0) / 1000 )) | $rss | $pend | $(( acc - soak_acc0 )) | $ips | $cps |"
    log "soak t=$(( (ms - soak_t0) / 1000 ))s RSS=${rss}MB pending=$pend 2xx=$(( acc - soak_acc0 )) (${ips}/s) crm=${cps}/s"
  done
  wait "$soak_pid" || odd "soak wrk exited with an error"
  forget_pid "$soak_pid"
  soak_line=$(grep '^BENCH_RESULT' "$soak_out" || true)
  [ -n "$soak_line" ] || { cat "$soak_out" >&2; die "no BENCH_RESULT from the soak"; }
  s_ok=$(kv ok "$soak_line"); s_bad=$(kv non2xx "$soak_line"); s_dus=$(kv duration_us "$soak_line")
  TOTAL_OK[$key]=$(( TOTAL_OK[$key] + s_ok ))
  [ "$s_bad" -eq 0 ] || odd "soak: $s_bad non-2xx answers ($(kv statuses "$soak_line"))"
  thirds() { # values... -> "middle_avg last_avg"
    printf '%s\n' "$@" | awk '{ v[NR] = $1 } END {
      n = NR; a = int(n / 3); b = int(2 * n / 3)
      for (i = a + 1; i <= b; i++) { m += v[i]; mc++ }
      for (i = b + 1; i <= n; i++) { l += v[i]; lc++ }
      printf "%.1f %.1f\n", (mc ? m / mc : 0), (lc ? l / lc : 0) }'
  }
  read -r rss_mid rss_last <<<"$(thirds "${rss_values[@]}")"
  read -r pend_mid pend_last <<<"$(thirds "${pending_values[@]}")"
  # growing: RSS last third > middle third by more than 5 %; backlog last third > middle third + 20 % and > 2 s of load
  rss_growing=$(awk -v m="$rss_mid" -v l="$rss_last" 'BEGIN { print (l > m * 1.05) ? "yes" : "no" }')
  pend_growing=$(awk -v m="$pend_mid" -v l="$pend_last" -v r="$SOAK_RATE" 'BEGIN { print (l > m * 1.2 && l > 2 * r) ? "yes" : "no" }')
  [ "$rss_growing" = no ] || odd "soak: RSS still growing (middle third ${rss_mid} MB, last third ${rss_last} MB)"
  [ "$pend_growing" = no ] || odd "soak: outbox backlog growing (middle third ${pend_mid}, last third ${pend_last})"
  soak_end_ms=$(now_ms)
  soak_pending_end=$(outbox_pending)
  wait_drain
  if [ "$PENDING" -eq 0 ]; then
    soak_drain="the backlog of ${soak_pending_end} drained in $(calc "($(now_ms) - $soak_end_ms) / 1000" 1) s after the soak"
  else
    soak_drain="NOT drained: ${PENDING} of ${soak_pending_end} still pending ${DRAIN_TIMEOUT} s after the soak"
    odd "outbox not drained ${DRAIN_TIMEOUT}s after the soak ($PENDING pending)"
  fi
  log "soak: $soak_drain"
  soak_rows=$(psql_q "$CUR_HUB_DB" "SELECT COUNT(*) FROM delivery_event")
  if [ "$soak_rows" -ge "${TOTAL_OK[$key]}" ]; then soak_verdict=PASS; else soak_verdict=FAIL; VERIFY_FAILED=1; fi
  SOAK_TEXT=$(cat <<EOF
## Soak (${NAME[$key]}, ${SOAK_SECONDS} s at a fixed rate)

Target ${SOAK_RATE}/s = ${SOAK_FRACTION} x the median 2xx/s (${hub_median}); bench/smsby.lua paces the requests to that rate (BENCH_RATE=${SOAK_RATE}), whatever the answers' latency.
Achieved: ${s_ok} 2xx in $(calc "$s_dus / 1000000" 1) s = $(calc "$s_ok / ($s_dus / 1000000)" 1) 2xx/s, ${s_bad} non-2xx, p50 $(calc "$(kv p50_us "$soak_line") / 1000" 2) ms, p99 $(calc "$(kv p99_us "$soak_line") / 1000" 2) ms.
Sampled every ${SOAK_INTERVAL} s:

${series}

- RSS: middle third ${rss_mid} MB, last third ${rss_last} MB → still growing (>5 %): **${rss_growing}**
- outbox pending: middle third ${pend_mid}, last third ${pend_last} → backlog growing: **${pend_growing}**; ${soak_drain}
- ${soak_rows} rows in delivery_event >= ${TOTAL_OK[$key]} 2xx answers (all its runs and the soak): **${soak_verdict}**
EOF
)
}

for key in "${HUB_KEYS[@]}"; do hub_phase "$key"; done

# ---------------------------------------------------------------- 5. the plain Camel route
# bench/plain-camel: platform-http -> one JDBC INSERT -> HTTP POST to the stub CRM -> 200, synchronously
PC_ENV=(HTTP_PORT="$PLAIN_CAMEL_PORT" DB_URL="jdbc:postgresql://${PGHOST_BENCH}:${PGPORT_BENCH}/${PC_DB}"
  DB_USER="$PGUSER_BENCH" CRM_URL="http://127.0.0.1:${CRM_STUB_PORT}/crm" SMSBY_TOKEN="$SMSBY_TOKEN" LOG_LEVEL=WARN)
CMD_SHOWN[plaincamel]="env ${PC_ENV[*]} java ${JAVA_OPTS:+$JAVA_OPTS }-jar $PC_JAR"
log "starting the plain Camel route: ${CMD_SHOWN[plaincamel]}"
need_port "$PLAIN_CAMEL_PORT"
START_MS=$(now_ms)
# shellcheck disable=SC2086
env "${PC_ENV[@]}" java $JAVA_OPTS -jar "$PC_JAR" >"$LOGDIR/plaincamel.log" 2>&1 &
PC_PID=$!; PIDS+=("$PC_PID")
STARTUP_MS[plaincamel]=$(wait_ready "$PC_PID" "http://127.0.0.1:${PLAIN_CAMEL_PORT}/health" "plain Camel route")
log "plain Camel route ready after ${STARTUP_MS[plaincamel]} ms (pid $PC_PID)"
sleep "$IDLE_SECONDS"
IDLE_RSS[plaincamel]=$(calc "$(status_kb "$PC_PID" VmRSS) / 1024" 0)
log "plain Camel route idle RSS after ${IDLE_SECONDS}s: ${IDLE_RSS[plaincamel]} MB"
PC_LOG_BEFORE=$(wc -l <"$LOGDIR/plaincamel.log")
PC_CRM_BEFORE=$(crm_count)
load_server plaincamel "$PC_URL" "$PC_PID"
PC_ROWS=$(psql_q "$PC_DB" "SELECT COUNT(*) FROM dlr_event")
PC_DISTINCT=$(psql_q "$PC_DB" "SELECT COUNT(DISTINCT message_id) FROM dlr_event")
PC_POSTS=$(( $(crm_count) - PC_CRM_BEFORE ))
if [ "$PC_ROWS" -ge "${TOTAL_OK[plaincamel]}" ]; then PC_VERDICT=PASS; else PC_VERDICT=FAIL; VERIFY_FAILED=1; fi
# it POSTs before it answers, so every 2xx was at the CRM first
if [ "$PC_POSTS" -ge "${TOTAL_OK[plaincamel]}" ]; then PC_CRM_VERDICT=PASS; else PC_CRM_VERDICT=FAIL; VERIFY_FAILED=1; fi
VERIFY+=("${NAME[plaincamel]}: ${PC_ROWS} rows in dlr_event >= ${TOTAL_OK[plaincamel]} 2xx answers (warm-up included): **${PC_VERDICT}** (${PC_DISTINCT} distinct message_ids; $(( PC_ROWS - TOTAL_OK[plaincamel] )) rows committed for requests still in flight when wrk stopped)")
VERIFY+=("${NAME[plaincamel]}, CRM: stub received ${PC_POSTS} POSTs >= ${TOTAL_OK[plaincamel]} 2xx answers (it answers after its POST): **${PC_CRM_VERDICT}**")
log "${VERIFY[-2]}"; log "${VERIFY[-1]}"
log_problems plaincamel "$LOGDIR/plaincamel.log" "$PC_LOG_BEFORE"
stop_pid "$PC_PID" 45; forget_pid "$PC_PID"
log "stopping the stub CRM"
stop_pid "$STUB_PID" 10; forget_pid "$STUB_PID"

# ---------------------------------------------------------------- 6. baseline
CMD_SHOWN[baseline]="java ${JAVA_OPTS:+$JAVA_OPTS }-cp \"target/lib/*\" bench/BaselineServer.java ${BASELINE_PORT} jdbc:postgresql://${PGHOST_BENCH}:${PGPORT_BENCH}/${BASE_DB} ${PGUSER_BENCH}"
log "starting baseline: ${CMD_SHOWN[baseline]}"
need_port "$BASELINE_PORT"
START_MS=$(now_ms)
# shellcheck disable=SC2086
java $JAVA_OPTS -cp "target/lib/*" bench/BaselineServer.java "$BASELINE_PORT" \
  "jdbc:postgresql://${PGHOST_BENCH}:${PGPORT_BENCH}/${BASE_DB}" "$PGUSER_BENCH" >"$LOGDIR/baseline.log" 2>&1 &
BASE_PID=$!; PIDS+=("$BASE_PID")
STARTUP_MS[baseline]=$(wait_ready "$BASE_PID" "http://127.0.0.1:${BASELINE_PORT}/health" "baseline")
log "baseline ready after ${STARTUP_MS[baseline]} ms (includes compiling the source file in memory)"
sleep "$IDLE_SECONDS"
IDLE_RSS[baseline]=$(calc "$(status_kb "$BASE_PID" VmRSS) / 1024" 0)
log "baseline idle RSS after ${IDLE_SECONDS}s: ${IDLE_RSS[baseline]} MB"
load_server baseline "$BASE_URL" "$BASE_PID"
BASE_ROWS=$(psql_q "$BASE_DB" "SELECT COUNT(*) FROM dlr")
BASE_DISTINCT=$(psql_q "$BASE_DB" "SELECT COUNT(DISTINCT message_id) FROM dlr")
if [ "$BASE_ROWS" -ge "${TOTAL_OK[baseline]}" ]; then BASE_VERDICT=PASS; else BASE_VERDICT=FAIL; VERIFY_FAILED=1; fi
VERIFY+=("baseline: ${BASE_ROWS} rows in dlr >= ${TOTAL_OK[baseline]} 2xx answers (warm-up included): **${BASE_VERDICT}** (${BASE_DISTINCT} distinct message_ids; $(( BASE_ROWS - TOTAL_OK[baseline] )) rows committed for requests still in flight when wrk stopped)")
log "${VERIFY[-1]}"
BASE_ERR_LINES=$(grep -c 'insert failed' "$LOGDIR/baseline.log" || true)
[ "$BASE_ERR_LINES" -eq 0 ] || odd "baseline logged $BASE_ERR_LINES failed inserts"
stop_pid "$BASE_PID" 15; forget_pid "$BASE_PID"

# ---------------------------------------------------------------- 7. report
table_rows() { # server
  local server=$1 name=${NAME[$1]} label ok bad rps p50 p99 cpu_s cpu_pct hwm crm pg wrkp pend busy other st er stub
  while IFS=$'\t' read -r label ok bad rps p50 p99 cpu_s cpu_pct hwm crm pg wrkp pend busy other st er stub; do
    echo "| $name | $label | $(fmt "$rps" 0) | $p50 | $p99 | $cpu_pct | $hwm | $(fmt "$crm" 0) | $bad | $pg | $stub | $wrkp | $other | $busy | $pend |"
  done <"$LOGDIR/${server}.tsv"
  col() { median $(cut -f"$1" "$LOGDIR/${server}.tsv"); }
  echo "| **$name** | **median** | **$(fmt "$(col 4)" 0)** | **$(fmt "$(col 5)" 2)** | **$(fmt "$(col 6)" 2)** | **$(fmt "$(col 8)" 0)** | **$(fmt "$(col 9)" 0)** | **$(fmt "$(col 10)" 0)** | $(fmt "$(col 3)" 0) | $(fmt "$(col 11)" 0) | $(fmt "$(col 18)" 0) | $(fmt "$(col 12)" 0) | $(fmt "$(col 15)" 0) | $(fmt "$(col 14)" 0) | $(fmt "$(col 13)" 0) |"
}
per_webhook_row() { # server -> median CPU µs per accepted webhook, by process
  local server=$1 us="$LOGDIR/$1-us-per-webhook.tsv" c
  awk -F'\t' -v n="$(nproc)" '$4 > 0 { f = 10000 / $4
    printf "%.1f\t%.1f\t%s\t%.1f\t%.1f\n", $8 * f, $11 * f, ($18 == "-" ? "-" : $18 * f), $12 * f, $14 * n * f }' \
    "$LOGDIR/${server}.tsv" >"$us"
  printf '| %s |' "${NAME[$server]}"
  for c in 1 2 3 4 5; do printf ' %s |' "$(fmt "$(median $(cut -f"$c" "$us"))" 0)"; done
  echo
}
measured() { [ -s "$LOGDIR/$1.tsv" ]; }
med_rps() { if measured "$1"; then median $(cut -f4 "$LOGDIR/$1.tsv"); else echo -; fi; }
med_e2e() { # per run the lower of 2xx/s and CRM delivered/s, median over the runs
  if measured "$1"; then
    median $(awk -F'\t' '{ print ($10 == "-" || $10 + 0 > $4 + 0) ? $4 : $10 }' "$LOGDIR/$1.tsv")
  else echo -; fi
}
ratio() { # a b -> a / b with 2 decimals, "n/a" when either is missing
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b <= 0) print "n/a"; else printf "%.2f", a / b }'
}
ratio_row() { # comparison a b
  echo "| $1 | **$(ratio "$2" "$3")** | $(fmt "$2" 0) | $(fmt "$3" 0) |"
}
HUB_E2E=$(med_e2e dlrhub)
HUB_RPS=$(med_rps dlrhub)
INGEST_RPS=$(med_rps dlrhub_ingest)
PC_E2E=$(med_e2e plaincamel)
BASE_MED=$(med_rps baseline)
TOTAL_S=$(( $(date +%s) - SCRIPT_T0 ))
case $CRM in
  both) CRM_TEXT="measured both ways, one process each: **on** (every event is also POSTed to the stub CRM) and **off** (no CRM_URL)" ;;
  1) CRM_TEXT="**on** only (CRM=1: every event is also POSTed to the stub CRM); the forwarding-off ratios are n/a" ;;
  0) CRM_TEXT="**off** only (CRM=0: no CRM_URL); the forwarding-on ratios are n/a" ;;
esac

{
  echo "# dlr-hub benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "## Machine"
  echo
  echo "$MACHINE_INFO"
  echo
  echo "## Settings"
  echo
  echo "- load: wrk, ${WRK_THREADS} threads, ${WRK_CONNECTIONS} connections, closed loop (each connection sends its next request when the answer arrives), --timeout ${WRK_TIMEOUT}s"
  echo "- request: POST form \`channel=SMS&message_id=<unique>&status=DELIVERED\`, application/x-www-form-urlencoded (bench/smsby.lua)"
  echo "- per server, one after another: warm-up ${DURATION_WARMUP} s (not in the table), then ${RUNS} measured runs of ${DURATION} s$( [ "$DRAIN_BETWEEN" = 1 ] && echo ", dlr-hub's outbox drained before each"); before each run a 2 s check that the machine is quiet (QUIET_WAIT=${QUIET_WAIT} s at most)"
  echo "- JVM options, every server: ${JAVA_OPTS:-none (JVM defaults)}; dlr-hub also ${CDS_OPTS:-without a class-data archive (CDS=0)}"
  echo "- dlr-hub CRM forwarding: ${CRM_TEXT}"
  echo "- plain Camel route (bench/plain-camel): platform-http, one JDBC INSERT (HikariCP, 10 connections), then an HTTP POST of the JSON event to the stub CRM, then 200: forwarding synchronously, before it answers"
  echo "- baseline (bench/BaselineServer.java): Vert.x, one autocommitted JDBC INSERT (HikariCP, 10 connections), then 200; forwards nothing"
  echo
  echo "## Start-up and idle"
  echo
  echo "| server | start to ready (ms) | cold start, no class-data archive (ms) | idle RSS after ${IDLE_SECONDS} s (MB) |"
  echo "|---|---:|---:|---:|"
  first_hub=1
  for key in "${HUB_KEYS[@]}"; do
    echo "| ${NAME[$key]} | ${STARTUP_MS[$key]}$( [ "$CDS" = 1 ] && echo " (from the class-data archive)") | $( [ "$first_hub" = 1 ] && echo "$HUB_COLD_MS" || echo "-") | ${IDLE_RSS[$key]} |"
    first_hub=0
  done
  echo "| ${NAME[plaincamel]} | ${STARTUP_MS[plaincamel]} (no class-data archive) | - | ${IDLE_RSS[plaincamel]} |"
  echo "| ${NAME[baseline]} | ${STARTUP_MS[baseline]} (includes in-memory compile of the .java file) | - | ${IDLE_RSS[baseline]} |"
  echo
  echo "## Throughput and cost"
  echo
  echo "| server | run | 2xx/s | p50 ms | p99 ms | CPU % (100 = 1 core) | peak RSS MB | CRM delivered/s | non-2xx | PostgreSQL CPU % | stub CRM CPU % | wrk CPU % | other processes CPU % | machine busy % | outbox pending at end |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for key in "${SERVERS[@]}"; do table_rows "$key"; done
  echo
  echo "CPU % is the server process (utime+stime from /proc/<pid>/stat) over the run's wall time; the machine has $(nproc) cores (= $(( $(nproc) * 100 )) %), shared with wrk and PostgreSQL. PostgreSQL CPU % is all postgres processes (exited backends included); stub CRM CPU % is the stub that receives the CRM deliveries (stopped before the baseline's runs: \"-\"); wrk CPU % is the load generator itself; other processes CPU % is every other user-space process that ran on the machine meanwhile (not ours, not PostgreSQL; the stub CRM counts as ours; kernel threads are left out); all in the same unit. Machine busy % is from /proc/stat, 100 = every core busy. Peak RSS is VmHWM, reset before each run. CRM delivered/s is the stub's POST count delta over the run (0 for dlr-hub with forwarding off)."
  echo
  echo "## Ratios (medians of the measured runs)"
  echo
  echo "| comparison | ratio | numerator /s | denominator /s |"
  echo "|---|---:|---:|---:|"
  ratio_row "ingest only: dlr-hub forwarding off / baseline, 2xx/s" "$INGEST_RPS" "$BASE_MED"
  ratio_row "forwarding: dlr-hub forwarding on / plain Camel route, end to end" "$HUB_E2E" "$PC_E2E"
  ratio_row "dlr-hub forwarding on, end to end / baseline (ingest only), 2xx/s" "$HUB_E2E" "$BASE_MED"
  ratio_row "dlr-hub forwarding on / baseline, 2xx/s (the ratio reported before)" "$HUB_RPS" "$BASE_MED"
  echo
  echo "End to end: per run the lower of 2xx/s and CRM delivered/s, so an event counts once it is both acknowledged and at the CRM. dlr-hub acknowledges once the event and its outbox row are committed and delivers from the outbox meanwhile; the plain Camel route answers after its CRM POST, so for it the two rates agree. The baseline forwards nothing: that ratio prices the CRM delivery plus everything else dlr-hub does."
  echo
  echo "### CPU per accepted webhook"
  echo
  echo "| server | server µs | PostgreSQL µs | stub CRM µs | wrk µs | whole machine µs (kernel included) |"
  echo "|---|---:|---:|---:|---:|---:|"
  for key in "${SERVERS[@]}"; do per_webhook_row "$key"; done
  echo
  echo "Each column's CPU % of a run divided by the run's 2xx/s (median of the runs); whole machine is machine busy % × $(nproc) cores. At 100 % of the $(nproc) cores, 1.2 × the baseline's median ($(calc "1.2 * $BASE_MED" 0)/s) leaves $(calc "$(nproc) * 1000000 / (1.2 * $BASE_MED)" 0) µs of machine CPU per webhook for everything on the machine."
  echo
  echo "## Verification"
  echo
  printf -- '- %s\n' "${VERIFY[@]}"
  echo
  if [ -n "$SOAK_TEXT" ]; then echo "$SOAK_TEXT"; echo; fi
  echo "## Remarks"
  echo
  if [ "${#ODD[@]}" -eq 0 ]; then echo "- none: no non-2xx, no socket errors, no WARN/ERROR lines from dlr-hub or the plain Camel route under load"; else printf -- '- %s\n' "${ODD[@]}"; fi
  echo
  echo "## Commands"
  echo
  echo '```sh'
  echo "# benchmark: $(printf '%q ' env DURATION_WARMUP="${DURATION_WARMUP}s" DURATION="${DURATION}s" RUNS="$RUNS" CRM="$CRM" DRAIN_BETWEEN="$DRAIN_BETWEEN" SOAK="$SOAK" SOAK_SECONDS="$SOAK_SECONDS" bench/run.sh)"
  [ "$SKIP_BUILD" = 1 ] || { echo "mvn -q -B package -DskipTests"; echo "mvn -q -B -f bench/plain-camel/pom.xml package"; }
  echo "$STUB_CMD"
  for key in "${SERVERS[@]}"; do echo "${CMD_SHOWN[$key]}"; done
  echo "${WRK_CMD_SHOWN}  # run1 of ${NAME[${SERVERS[0]}]}; warm-up: -d${DURATION_WARMUP}s; plain Camel route: port ${PLAIN_CAMEL_PORT}; baseline: port ${BASELINE_PORT}"
  [ "$SOAK" != 1 ] || echo "BENCH_RATE=${SOAK_RATE} BENCH_THREADS=${WRK_THREADS} ${SOAK_CMD[*]:0:$(( ${#SOAK_CMD[@]} - 3 ))} '$HUB_URL' -- soak"
  echo '```'
  echo
  echo "Logs: \`${LOGDIR}/\`. Databases $(printf '`%s`\n' "${DBS[@]}" | paste -sd, - | sed 's/,/, /g') are left for inspection. Total wall time: ${TOTAL_S} s."
} >"$RESULTS"

echo
cat "$RESULTS"
echo
log "written to $RESULTS"
[ "$VERIFY_FAILED" -eq 0 ] || die "verification FAILED"
