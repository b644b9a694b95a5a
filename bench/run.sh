#!/usr/bin/env bash
# dlr-hub benchmark: dlr-hub vs a hand-written Vert.x + JDBC receiver, same load, same machine.
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
DURATION_WARMUP=$(secs "${DURATION_WARMUP:-120s}")
DURATION=$(secs "${DURATION:-30s}")
RUNS=${RUNS:-3}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-50}
WRK_TIMEOUT=$(secs "${WRK_TIMEOUT:-10s}")
SKIP_BUILD=${SKIP_BUILD:-0}
SOAK=${SOAK:-0}
CRM=${CRM:-1}
[[ $CRM =~ ^[01]$ ]] || { echo "CRM must be 0 or 1, not: $CRM" >&2; exit 2; }
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
HUB_DB=dlrhub_bench
BASE_DB=baseline_bench
HTTP_PORT=${BENCH_HTTP_PORT:-18080}
MANAGEMENT_PORT=${BENCH_MANAGEMENT_PORT:-19876}
BASELINE_PORT=${BENCH_BASELINE_PORT:-18081}
CRM_STUB_PORT=${BENCH_CRM_PORT:-18090}
SMSBY_TOKEN=bench-token
ADMIN_TOKEN=bench-admin
HUB_URL="http://127.0.0.1:${HTTP_PORT}/webhooks/smsby?token=${SMSBY_TOKEN}"
BASE_URL="http://127.0.0.1:${BASELINE_PORT}/webhooks/smsby?token=${SMSBY_TOKEN}"
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
outbox_pending() { psql_q "$HUB_DB" "SELECT COUNT(*) FROM outbox WHERE state = 'pending'"; }
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
# run_load server label url pid seconds -> appends a row to $LOGDIR/<server>.tsv, adds to TOTAL_OK_<server>
declare -A TOTAL_OK=([dlrhub]=0 [baseline]=0)
WRK_CMD_SHOWN=""
run_load() {
  local server=$1 label=$2 url=$3 pid=$4 dur=$5
  local out="$LOGDIR/wrk-${server}-${label}.txt" tfile="$LOGDIR/wrk-${server}-${label}.time"
  local t0 t1 c0 c1 pg0 pg1 m0 m1 crm0=0 crm1=0 line ok bad p50 p99 dus errs statuses pending="-"
  local cmd=(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${dur}s" --timeout "${WRK_TIMEOUT}s" --latency
    -s bench/smsby.lua "$url" -- "$label")
  [ "$label" != run1 ] || [ -n "$WRK_CMD_SHOWN" ] ||
    WRK_CMD_SHOWN="${cmd[*]:0:$(( ${#cmd[@]} - 3 ))} '$url' -- $label"
  log "$server: $label, ${dur}s: ${cmd[*]}"
  wait_quiet "$pid" "$server $label"
  reset_hwm "$pid"
  [ "$server" = dlrhub ] && crm0=$(crm_count)
  all_ticks >"$LOGDIR/procs-before.txt"
  m0=$(machine_cpu); pg0=$(pg_ticks); c0=$(proc_ticks "$pid"); s0=$(stub_ticks); t0=$(now_ms)
  local TIMEFORMAT='%3U %3S'
  if ! { time timeout --kill-after=10 "$(( dur + 60 ))" "${cmd[@]}" >"$out" 2>&1; } 2>"$tfile"; then
    cat "$out" >&2
    die "wrk failed ($server $label)"
  fi
  t1=$(now_ms); c1=$(proc_ticks "$pid"); s1=$(stub_ticks); pg1=$(pg_ticks); m1=$(machine_cpu)
  all_ticks >"$LOGDIR/procs-after.txt"
  [ "$server" = dlrhub ] && { crm1=$(crm_count); pending=$(outbox_pending); }
  local hwm_kb; hwm_kb=$(status_kb "$pid" VmHWM)
  kill -0 "$pid" 2>/dev/null || die "$server died during $label"
  line=$(grep '^BENCH_RESULT' "$out" || true)
  [ -n "$line" ] || { cat "$out" >&2; die "no BENCH_RESULT line from wrk ($server $label)"; }
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
  if [ "$server" = dlrhub ]; then crm_ps=$(calc "($crm1 - $crm0) / $wall_s" 1); else crm_ps="-"; fi
  [ "$bad" -eq 0 ] || odd "$server $label: $bad non-2xx answers (statuses $statuses)"
  [ "$errs" = "connect:0,read:0,write:0,timeout:0" ] || odd "$server $label: wrk socket errors $errs"
  read -r other_pct other_top < <(foreign_cpu "$LOGDIR/procs-before.txt" "$LOGDIR/procs-after.txt" "$wall_s" \
    $$ "$pid" ${STUB_PID:-})
  [ "$other_pct" -lt 10 ] || odd "$server $label: other processes on the machine used ${other_pct}% CPU (100 = one core) during the run (top: $other_top): numbers disturbed"
  [ "${steal_pct%.*}" -lt 5 ] || odd "$server $label: ${steal_pct}% CPU steal (a noisy neighbour on this VM)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$label" "$ok" "$bad" "$rps" "$(calc "$p50 / 1000" 2)" "$(calc "$p99 / 1000" 2)" "$cpu_s" "$cpu_pct" \
    "$(calc "$hwm_kb / 1024" 0)" "$crm_ps" "$pg_pct" "$wrk_pct" "$pending" "$busy_pct" "$other_pct" "$statuses" "$errs" "$stub_pct" \
    >>"$LOGDIR/${server}.tsv"
  log "$server $label: 2xx=$ok non2xx=$bad 2xx/s=$rps p50=$(calc "$p50 / 1000" 2)ms p99=$(calc "$p99 / 1000" 2)ms" \
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
if [ "$SKIP_BUILD" = 1 ]; then
  log "SKIP_BUILD=1: using the existing target/"
else
  log "building: mvn -q -B package -DskipTests"
  mvn -q -B package -DskipTests >"$LOGDIR/build.log" 2>&1 || { tail -50 "$LOGDIR/build.log" >&2; die "build failed"; }
fi
[ -f target/dlr-hub.jar ] && [ -d target/lib ] || die "target/dlr-hub.jar or target/lib missing: build first"
for p in "$HTTP_PORT" "$MANAGEMENT_PORT" "$BASELINE_PORT" "$CRM_STUB_PORT"; do need_port "$p"; done

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
log "creating databases $HUB_DB and $BASE_DB (dropped first)"
for db in "$HUB_DB" "$BASE_DB"; do
  psql_q postgres "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  psql_q postgres "CREATE DATABASE $db" >/dev/null
done
psql_q "$BASE_DB" "CREATE TABLE dlr (channel text, message_id text, status text, received_at timestamptz DEFAULT now())" >/dev/null

# ---------------------------------------------------------------- 3. stub CRM
STUB_CMD="java -cp \"target/lib/*\" bench/CrmStub.java ${CRM_STUB_PORT}"
log "starting stub CRM: $STUB_CMD"
need_port "$CRM_STUB_PORT"
java -cp "target/lib/*" bench/CrmStub.java "$CRM_STUB_PORT" >"$LOGDIR/crm-stub.log" 2>&1 &
STUB_PID=$!; PIDS+=("$STUB_PID")
START_MS=$(now_ms)
wait_ready "$STUB_PID" "http://127.0.0.1:${CRM_STUB_PORT}/count" "stub CRM" >/dev/null

# ---------------------------------------------------------------- 4. dlr-hub
HUB_ENV=(DB_URL="jdbc:postgresql://${PGHOST_BENCH}:${PGPORT_BENCH}/${HUB_DB}" DB_USER="$PGUSER_BENCH"
  SMSBY_TOKENS="$SMSBY_TOKEN" HTTP_PORT="$HTTP_PORT" MANAGEMENT_PORT="$MANAGEMENT_PORT" LOG_LEVEL=WARN
  ADMIN_TOKEN="$ADMIN_TOKEN" GENERATED_TOKENS_FILE="$LOGDIR/generated-tokens.properties")
# CRM=0: forwarding off (no CRM_URL), so dlr-hub does what the baseline does plus its own checks;
# the stub still runs and must then receive nothing
[ "$CRM" = 0 ] || HUB_ENV+=(CRM_URL="http://127.0.0.1:${CRM_STUB_PORT}/crm")
# class-data archive (docs/operations.md "JVM options, memory and start-up"): a first start writes it at exit;
# that start is the cold one, the measured server starts from the archive
HUB_COLD_MS="-"
CDS_OPTS=""
if [ "$CDS" = 1 ]; then
  CDS_ARCHIVE="$LOGDIR/dlr-hub.jsa"
  log "dlr-hub cold start (no class-data archive yet; it writes $CDS_ARCHIVE when stopped)"
  need_port "$HTTP_PORT"; need_port "$MANAGEMENT_PORT"
  # shellcheck disable=SC2086
  env "${HUB_ENV[@]}" java $JAVA_OPTS -XX:ArchiveClassesAtExit="$CDS_ARCHIVE" -jar target/dlr-hub.jar \
    >"$LOGDIR/dlr-hub-cold.log" 2>&1 &
  COLD_PID=$!; PIDS+=("$COLD_PID")
  START_MS=$(now_ms)
  HUB_COLD_MS=$(wait_ready "$COLD_PID" "$READY_URL" "dlr-hub (cold)")
  log "dlr-hub cold start: ready after ${HUB_COLD_MS} ms"
  stop_pid "$COLD_PID" 60; forget_pid "$COLD_PID"
  [ -s "$CDS_ARCHIVE" ] || die "the cold start wrote no class-data archive (see $LOGDIR/dlr-hub-cold.log)"
  CDS_OPTS="-XX:SharedArchiveFile=$CDS_ARCHIVE"
fi
# shellcheck disable=SC2086
HUB_CMD="env ${HUB_ENV[*]} java ${JAVA_OPTS:+$JAVA_OPTS }${CDS_OPTS:+$CDS_OPTS }-jar target/dlr-hub.jar"
log "starting dlr-hub: $HUB_CMD"
need_port "$HTTP_PORT"; need_port "$MANAGEMENT_PORT"
START_MS=$(now_ms)
# shellcheck disable=SC2086
env "${HUB_ENV[@]}" java $JAVA_OPTS $CDS_OPTS -jar target/dlr-hub.jar >"$LOGDIR/dlr-hub.log" 2>&1 &
HUB_PID=$!; PIDS+=("$HUB_PID")
HUB_STARTUP_MS=$(wait_ready "$HUB_PID" "$READY_URL" "dlr-hub")
log "dlr-hub ready after ${HUB_STARTUP_MS} ms (pid $HUB_PID, $(cat /proc/$HUB_PID/comm))"
sleep "$IDLE_SECONDS"
HUB_IDLE_RSS=$(calc "$(status_kb "$HUB_PID" VmRSS) / 1024" 0)
log "dlr-hub idle RSS after ${IDLE_SECONDS}s: ${HUB_IDLE_RSS} MB"
HUB_LOG_LINES_BEFORE=$(wc -l <"$LOGDIR/dlr-hub.log")

# ---------------------------------------------------------------- 5. load on dlr-hub
: >"$LOGDIR/dlrhub.tsv"
run_load dlrhub warmup "$HUB_URL" "$HUB_PID" "$DURATION_WARMUP"
: >"$LOGDIR/dlrhub.tsv" # the warm-up is not reported in the table (its 2xx still count for verification)
for ((r = 1; r <= RUNS; r++)); do
  if [ "$DRAIN_BETWEEN" = 1 ]; then
    wait_drain
    log "outbox: $PENDING pending after $(calc "($(now_ms) - $DRAIN_FROM_MS) / 1000" 1) s"
    [ "$PENDING" -eq 0 ] || odd "outbox not drained before run$r ($PENDING pending)"
  fi
  run_load dlrhub "run$r" "$HUB_URL" "$HUB_PID" "$DURATION"
done
LAST_RUN_END_MS=$(now_ms)

PENDING_AFTER_RUNS=$(outbox_pending)
wait_drain
if [ "$PENDING" -eq 0 ]; then
  DRAIN_S=$(calc "($(now_ms) - $LAST_RUN_END_MS) / 1000" 1)
  DRAIN_TEXT="drained in ${DRAIN_S} s after the last run (${PENDING_AFTER_RUNS} pending when it ended)"
else
  DRAIN_TEXT="NOT drained: ${PENDING} still pending after ${DRAIN_TIMEOUT} s"
  odd "outbox not drained after ${DRAIN_TIMEOUT}s ($PENDING pending)"
fi
log "outbox: $DRAIN_TEXT"

HUB_ROWS=$(psql_q "$HUB_DB" "SELECT COUNT(*) FROM delivery_event")
HUB_DISTINCT=$(psql_q "$HUB_DB" "SELECT COUNT(DISTINCT message_id) FROM delivery_event")
HUB_OUTBOX=$(psql_q "$HUB_DB" "SELECT string_agg(state || '=' || n, ', ' ORDER BY state) FROM (SELECT state, COUNT(*) n FROM outbox GROUP BY state) s")
HUB_CRM_TOTAL=$(crm_count)
if [ "$HUB_ROWS" -ge "${TOTAL_OK[dlrhub]}" ]; then HUB_VERDICT=PASS; else HUB_VERDICT=FAIL; VERIFY_FAILED=1; fi
HUB_VERIFY="dlr-hub: ${HUB_ROWS} rows in delivery_event >= ${TOTAL_OK[dlrhub]} 2xx answers (warm-up included): **${HUB_VERDICT}** (${HUB_DISTINCT} distinct message_ids; $(( HUB_ROWS - TOTAL_OK[dlrhub] )) rows committed for requests still in flight when wrk stopped)"
if [ "$CRM" = 0 ]; then
  if [ "$HUB_CRM_TOTAL" -eq 0 ]; then CRM_VERDICT="PASS (CRM=0: forwarding off, nothing sent)"
  else CRM_VERDICT="FAIL: forwarding is off (CRM=0) but the stub received POSTs"; VERIFY_FAILED=1; fi
elif [ "$HUB_CRM_TOTAL" -ge "$HUB_ROWS" ]; then CRM_VERDICT="PASS (every event delivered at least once)"
elif [ "$PENDING" -gt 0 ]; then CRM_VERDICT="incomplete: the outbox had not drained"
else CRM_VERDICT="FAIL: the outbox is empty but events are missing at the CRM"; VERIFY_FAILED=1; fi
CRM_VERIFY="CRM: stub received ${HUB_CRM_TOTAL} POSTs for ${HUB_ROWS} events (outbox rows: ${HUB_OUTBOX:-none}): ${CRM_VERDICT}"
log "$HUB_VERIFY"; log "$CRM_VERIFY"

# ---------------------------------------------------------------- 8. optional soak
SOAK_TEXT=""
if [ "$SOAK" = 1 ]; then
  HUB_MEDIAN_RPS=$(median $(cut -f4 "$LOGDIR/dlrhub.tsv"))
  SOAK_RATE=$(calc "$SOAK_FRACTION * $HUB_MEDIAN_RPS" 0)
  [ "$SOAK_RATE" -ge 1 ] || SOAK_RATE=1
  SOAK_OUT="$LOGDIR/wrk-dlrhub-soak.txt"
  SOAK_CMD=(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${SOAK_SECONDS}s" --timeout "${WRK_TIMEOUT}s" --latency
    -s bench/smsby.lua "$HUB_URL" -- soak)
  log "soak: ${SOAK_SECONDS}s at ${SOAK_RATE}/s (${SOAK_FRACTION} x median ${HUB_MEDIAN_RPS}/s): BENCH_RATE=${SOAK_RATE} BENCH_THREADS=${WRK_THREADS} ${SOAK_CMD[*]}"
  SOAK_ROWS_BEFORE=$HUB_ROWS
  SOAK_ACC0=$(hub_accepted)
  SOAK_T0=$(now_ms)
  BENCH_RATE=$SOAK_RATE BENCH_THREADS=$WRK_THREADS timeout --kill-after=10 "$(( SOAK_SECONDS + 60 ))" "${SOAK_CMD[@]}" >"$SOAK_OUT" 2>&1 &
  SOAK_PID=$!; PIDS+=("$SOAK_PID")
  SERIES="| t (s) | RSS MB | outbox pending | 2xx so far (server count) | 2xx/s in interval | CRM delivered/s in interval |"$'\n'"|---:|---:|---:|---:|---:|---:|"
  RSS_VALUES=(); PENDING_VALUES=()
  SOAK_CRM0=$(crm_count)
  prev_acc=$SOAK_ACC0; prev_ms=$SOAK_T0; prev_crm=$SOAK_CRM0
  for ((i = 1; i <= SOAK_SECONDS / SOAK_INTERVAL; i++)); do
    target=$(( SOAK_T0 + i * SOAK_INTERVAL * 1000 )); nowv=$(now_ms)
    [ "$target" -le "$nowv" ] || sleep "$(calc "($target - $nowv) / 1000" 3)"
    kill -0 "$HUB_PID" 2>/dev/null || die "dlr-hub died during the soak"
    rss=$(calc "$(status_kb "$HUB_PID" VmRSS) / 1024" 0)
    pend=$(outbox_pending); acc=$(hub_accepted); crm=$(crm_count); ms=$(now_ms)
    ips=$(calc "($acc - $prev_acc) * 1000 / ($ms - $prev_ms)" 0)
    cps=$(calc "($crm - $prev_crm) * 1000 / ($ms - $prev_ms)" 0)
    prev_acc=$acc; prev_ms=$ms; prev_crm=$crm
    RSS_VALUES+=("$rss"); PENDING_VALUES+=("$pend")
    SERIES+=$'\n'"| $(( (ms - SOAK_T0) / 1000 )) | $rss | $pend | $(( acc - SOAK_ACC0 )) | $ips | $cps |"
    log "soak t=$(( (ms - SOAK_T0) / 1000 ))s RSS=${rss}MB pending=$pend 2xx=$(( acc - SOAK_ACC0 )) (${ips}/s) crm=${cps}/s"
  done
  wait "$SOAK_PID" || odd "soak wrk exited with an error"
  forget_pid "$SOAK_PID"
  SOAK_LINE=$(grep '^BENCH_RESULT' "$SOAK_OUT" || true)
  [ -n "$SOAK_LINE" ] || { cat "$SOAK_OUT" >&2; die "no BENCH_RESULT from the soak"; }
  s_ok=$(kv ok "$SOAK_LINE"); s_bad=$(kv non2xx "$SOAK_LINE"); s_dus=$(kv duration_us "$SOAK_LINE")
  TOTAL_OK[dlrhub]=$(( TOTAL_OK[dlrhub] + s_ok ))
  [ "$s_bad" -eq 0 ] || odd "soak: $s_bad non-2xx answers ($(kv statuses "$SOAK_LINE"))"
  thirds() { # values... -> "middle_avg last_avg"
    printf '%s\n' "$@" | awk '{ v[NR] = $1 } END {
      n = NR; a = int(n / 3); b = int(2 * n / 3)
      for (i = a + 1; i <= b; i++) { m += v[i]; mc++ }
      for (i = b + 1; i <= n; i++) { l += v[i]; lc++ }
      printf "%.1f %.1f\n", (mc ? m / mc : 0), (lc ? l / lc : 0) }'
  }
  read -r RSS_MID RSS_LAST <<<"$(thirds "${RSS_VALUES[@]}")"
  read -r PEND_MID PEND_LAST <<<"$(thirds "${PENDING_VALUES[@]}")"
  # growing: RSS last third > middle third by more than 5 %; backlog last third > middle third + 20 % and > 2 s of load
  RSS_GROWING=$(awk -v m="$RSS_MID" -v l="$RSS_LAST" 'BEGIN { print (l > m * 1.05) ? "yes" : "no" }')
  PEND_GROWING=$(awk -v m="$PEND_MID" -v l="$PEND_LAST" -v r="$SOAK_RATE" 'BEGIN { print (l > m * 1.2 && l > 2 * r) ? "yes" : "no" }')
  [ "$RSS_GROWING" = no ] || odd "soak: RSS still growing (middle third ${RSS_MID} MB, last third ${RSS_LAST} MB)"
  [ "$PEND_GROWING" = no ] || odd "soak: outbox backlog growing (middle third ${PEND_MID}, last third ${PEND_LAST})"
  SOAK_END_MS=$(now_ms)
  SOAK_PENDING_END=$(outbox_pending)
  wait_drain
  if [ "$PENDING" -eq 0 ]; then
    SOAK_DRAIN="the backlog of ${SOAK_PENDING_END} drained in $(calc "($(now_ms) - $SOAK_END_MS) / 1000" 1) s after the soak"
  else
    SOAK_DRAIN="NOT drained: ${PENDING} of ${SOAK_PENDING_END} still pending ${DRAIN_TIMEOUT} s after the soak"
    odd "outbox not drained ${DRAIN_TIMEOUT}s after the soak ($PENDING pending)"
  fi
  log "soak: $SOAK_DRAIN"
  SOAK_ROWS=$(psql_q "$HUB_DB" "SELECT COUNT(*) FROM delivery_event")
  if [ "$SOAK_ROWS" -ge "${TOTAL_OK[dlrhub]}" ]; then SOAK_VERDICT=PASS; else SOAK_VERDICT=FAIL; VERIFY_FAILED=1; fi
  SOAK_TEXT=$(cat <<EOF
## Soak (dlr-hub, ${SOAK_SECONDS} s at a fixed rate)

Target ${SOAK_RATE}/s = ${SOAK_FRACTION} x the median 2xx/s (${HUB_MEDIAN_RPS}); bench/smsby.lua paces the requests to that rate (BENCH_RATE=${SOAK_RATE}), whatever the answers' latency.
Achieved: ${s_ok} 2xx in $(calc "$s_dus / 1000000" 1) s = $(calc "$s_ok / ($s_dus / 1000000)" 1) 2xx/s, ${s_bad} non-2xx, p50 $(calc "$(kv p50_us "$SOAK_LINE") / 1000" 2) ms, p99 $(calc "$(kv p99_us "$SOAK_LINE") / 1000" 2) ms.
Sampled every ${SOAK_INTERVAL} s:

${SERIES}

- RSS: middle third ${RSS_MID} MB, last third ${RSS_LAST} MB → still growing (>5 %): **${RSS_GROWING}**
- outbox pending: middle third ${PEND_MID}, last third ${PEND_LAST} → backlog growing: **${PEND_GROWING}**; ${SOAK_DRAIN}
- ${SOAK_ROWS} rows in delivery_event >= ${TOTAL_OK[dlrhub]} 2xx answers (all dlr-hub runs and the soak): **${SOAK_VERDICT}**
EOF
)
fi

HUB_WARN_LINES=$(tail -n +"$(( HUB_LOG_LINES_BEFORE + 1 ))" "$LOGDIR/dlr-hub.log" | grep -cE ' (WARN|ERROR) ' || true)
[ "$HUB_WARN_LINES" -eq 0 ] || odd "dlr-hub logged $HUB_WARN_LINES WARN/ERROR lines under load (see $LOGDIR/dlr-hub.log)"
log "stopping dlr-hub and the stub CRM"
stop_pid "$HUB_PID" 45; forget_pid "$HUB_PID"
stop_pid "$STUB_PID" 10; forget_pid "$STUB_PID"

# ---------------------------------------------------------------- 6. baseline
BASE_CMD="java ${JAVA_OPTS:+$JAVA_OPTS }-cp \"target/lib/*\" bench/BaselineServer.java ${BASELINE_PORT} jdbc:postgresql://${PGHOST_BENCH}:${PGPORT_BENCH}/${BASE_DB} ${PGUSER_BENCH}"
log "starting baseline: $BASE_CMD"
need_port "$BASELINE_PORT"
START_MS=$(now_ms)
# shellcheck disable=SC2086
java $JAVA_OPTS -cp "target/lib/*" bench/BaselineServer.java "$BASELINE_PORT" \
  "jdbc:postgresql://${PGHOST_BENCH}:${PGPORT_BENCH}/${BASE_DB}" "$PGUSER_BENCH" >"$LOGDIR/baseline.log" 2>&1 &
BASE_PID=$!; PIDS+=("$BASE_PID")
BASE_STARTUP_MS=$(wait_ready "$BASE_PID" "http://127.0.0.1:${BASELINE_PORT}/health" "baseline")
log "baseline ready after ${BASE_STARTUP_MS} ms (includes compiling the source file in memory)"
sleep "$IDLE_SECONDS"
BASE_IDLE_RSS=$(calc "$(status_kb "$BASE_PID" VmRSS) / 1024" 0)
log "baseline idle RSS after ${IDLE_SECONDS}s: ${BASE_IDLE_RSS} MB"

: >"$LOGDIR/baseline.tsv"
run_load baseline warmup "$BASE_URL" "$BASE_PID" "$DURATION_WARMUP"
: >"$LOGDIR/baseline.tsv"
for ((r = 1; r <= RUNS; r++)); do
  run_load baseline "run$r" "$BASE_URL" "$BASE_PID" "$DURATION"
done
BASE_ROWS=$(psql_q "$BASE_DB" "SELECT COUNT(*) FROM dlr")
BASE_DISTINCT=$(psql_q "$BASE_DB" "SELECT COUNT(DISTINCT message_id) FROM dlr")
if [ "$BASE_ROWS" -ge "${TOTAL_OK[baseline]}" ]; then BASE_VERDICT=PASS; else BASE_VERDICT=FAIL; VERIFY_FAILED=1; fi
BASE_VERIFY="baseline: ${BASE_ROWS} rows in dlr >= ${TOTAL_OK[baseline]} 2xx answers (warm-up included): **${BASE_VERDICT}** (${BASE_DISTINCT} distinct message_ids; $(( BASE_ROWS - TOTAL_OK[baseline] )) rows committed for requests still in flight when wrk stopped)"
log "$BASE_VERIFY"
BASE_ERR_LINES=$(grep -c 'insert failed' "$LOGDIR/baseline.log" || true)
[ "$BASE_ERR_LINES" -eq 0 ] || odd "baseline logged $BASE_ERR_LINES failed inserts"
stop_pid "$BASE_PID" 15; forget_pid "$BASE_PID"

# ---------------------------------------------------------------- 7. report
table_rows() { # server name
  local server=$1 name=$2 label ok bad rps p50 p99 cpu_s cpu_pct hwm crm pg wrkp pend busy other st er stub
  while IFS=$'\t' read -r label ok bad rps p50 p99 cpu_s cpu_pct hwm crm pg wrkp pend busy other st er stub; do
    echo "| $name | $label | $(fmt "$rps" 0) | $p50 | $p99 | $cpu_pct | $hwm | $(fmt "$crm" 0) | $bad | $pg | $stub | $wrkp | $other | $busy | $pend |"
  done <"$LOGDIR/${server}.tsv"
  col() { median $(cut -f"$1" "$LOGDIR/${server}.tsv"); }
  echo "| **$name** | **median** | **$(fmt "$(col 4)" 0)** | **$(fmt "$(col 5)" 2)** | **$(fmt "$(col 6)" 2)** | **$(fmt "$(col 8)" 0)** | **$(fmt "$(col 9)" 0)** | **$(fmt "$(col 10)" 0)** | $(fmt "$(col 3)" 0) | $(fmt "$(col 11)" 0) | $(fmt "$(col 18)" 0) | $(fmt "$(col 12)" 0) | $(fmt "$(col 15)" 0) | $(fmt "$(col 14)" 0) | $(fmt "$(col 13)" 0) |"
}
per_webhook_row() { # server name -> median CPU µs per accepted webhook, by process
  local server=$1 name=$2 us="$LOGDIR/$1-us-per-webhook.tsv" c
  awk -F'\t' -v n="$(nproc)" '$4 > 0 { f = 10000 / $4
    printf "%.1f\t%.1f\t%s\t%.1f\t%.1f\n", $8 * f, $11 * f, ($18 == "-" ? "-" : $18 * f), $12 * f, $14 * n * f }' \
    "$LOGDIR/${server}.tsv" >"$us"
  printf '| %s |' "$name"
  for c in 1 2 3 4 5; do printf ' %s |' "$(fmt "$(median $(cut -f"$c" "$us"))" 0)"; done
  echo
}
HUB_MED=$(median $(cut -f4 "$LOGDIR/dlrhub.tsv"))
BASE_MED=$(median $(cut -f4 "$LOGDIR/baseline.tsv"))
RATIO=$(awk -v a="$HUB_MED" -v b="$BASE_MED" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
TOTAL_S=$(( $(date +%s) - SCRIPT_T0 ))

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
  echo "- per server: warm-up ${DURATION_WARMUP} s (not in the table), then ${RUNS} measured runs of ${DURATION} s, $( [ "$DRAIN_BETWEEN" = 1 ] && echo "dlr-hub's outbox drained before each" || echo "one after another"); before each run a 2 s check that the machine is quiet (QUIET_WAIT=${QUIET_WAIT} s at most)"
  echo "- JVM options: ${JAVA_OPTS:-none (JVM defaults)}; dlr-hub also ${CDS_OPTS:-without a class-data archive (CDS=0)}"
  echo "- dlr-hub CRM forwarding: $( [ "$CRM" = 0 ] && echo "**off** (CRM=0: no CRM_URL; the baseline forwards nothing either)" || echo "on, to the stub CRM (every event is also POSTed there)")"
  echo
  echo "## Start-up and idle"
  echo
  echo "| server | start to ready (ms) | cold start, no class-data archive (ms) | idle RSS after ${IDLE_SECONDS} s (MB) |"
  echo "|---|---:|---:|---:|"
  echo "| dlr-hub | ${HUB_STARTUP_MS}$( [ "$CDS" = 1 ] && echo " (from the class-data archive)") | ${HUB_COLD_MS} | ${HUB_IDLE_RSS} |"
  echo "| baseline | ${BASE_STARTUP_MS} (includes in-memory compile of the .java file) | - | ${BASE_IDLE_RSS} |"
  echo
  echo "## Throughput and cost"
  echo
  echo "| server | run | 2xx/s | p50 ms | p99 ms | CPU % (100 = 1 core) | peak RSS MB | CRM delivered/s | non-2xx | PostgreSQL CPU % | stub CRM CPU % | wrk CPU % | other processes CPU % | machine busy % | outbox pending at end |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  table_rows dlrhub dlr-hub
  table_rows baseline baseline
  echo
  echo "**dlr-hub / baseline, median 2xx/s: ${RATIO}** (${HUB_MED} / ${BASE_MED})"
  echo
  echo "CPU % is the server process (utime+stime from /proc/<pid>/stat) over the run's wall time; the machine has $(nproc) cores (= $(( $(nproc) * 100 )) %), shared with wrk and PostgreSQL. PostgreSQL CPU % is all postgres processes (exited backends included); stub CRM CPU % is the stub that receives dlr-hub's CRM deliveries (stopped before the baseline's runs: \"-\"); wrk CPU % is the load generator itself; other processes CPU % is every other user-space process that ran on the machine meanwhile (not ours, not PostgreSQL; the stub CRM counts as ours; kernel threads are left out); all in the same unit. Machine busy % is from /proc/stat, 100 = every core busy. Peak RSS is VmHWM, reset before each run. CRM delivered/s is the stub's POST count delta over the run."
  echo
  echo "### CPU per accepted webhook"
  echo
  echo "| server | server µs | PostgreSQL µs | stub CRM µs | wrk µs | whole machine µs (kernel included) |"
  echo "|---|---:|---:|---:|---:|---:|"
  per_webhook_row dlrhub dlr-hub
  per_webhook_row baseline baseline
  echo
  echo "Each column's CPU % of a run divided by the run's 2xx/s (median of the runs); whole machine is machine busy % × $(nproc) cores. At 100 % of the $(nproc) cores, 1.2 × the baseline's median ($(calc "1.2 * $BASE_MED" 0)/s) leaves $(calc "$(nproc) * 1000000 / (1.2 * $BASE_MED)" 0) µs of machine CPU per webhook for everything on the machine."
  echo
  echo "## Verification"
  echo
  echo "- ${HUB_VERIFY}"
  echo "- ${BASE_VERIFY}"
  echo "- dlr-hub outbox: ${DRAIN_TEXT}"
  echo "- ${CRM_VERIFY}"
  echo
  if [ -n "$SOAK_TEXT" ]; then echo "$SOAK_TEXT"; echo; fi
  echo "## Remarks"
  echo
  if [ "${#ODD[@]}" -eq 0 ]; then echo "- none: no non-2xx, no socket errors, no WARN/ERROR lines from dlr-hub under load"; else printf -- '- %s\n' "${ODD[@]}"; fi
  echo
  echo "## Commands"
  echo
  echo '```sh'
  echo "# benchmark: $(printf '%q ' env DURATION_WARMUP="${DURATION_WARMUP}s" DURATION="${DURATION}s" RUNS="$RUNS" CRM="$CRM" DRAIN_BETWEEN="$DRAIN_BETWEEN" SOAK="$SOAK" SOAK_SECONDS="$SOAK_SECONDS" bench/run.sh)"
  [ "$SKIP_BUILD" = 1 ] || echo "mvn -q -B package -DskipTests"
  echo "$STUB_CMD"
  echo "$HUB_CMD"
  echo "$BASE_CMD"
  echo "${WRK_CMD_SHOWN}  # run1 of dlr-hub; warm-up: -d${DURATION_WARMUP}s; baseline: port ${BASELINE_PORT}"
  [ "$SOAK" != 1 ] || echo "BENCH_RATE=${SOAK_RATE} BENCH_THREADS=${WRK_THREADS} ${SOAK_CMD[*]:0:$(( ${#SOAK_CMD[@]} - 3 ))} '$HUB_URL' -- soak"
  echo '```'
  echo
  echo "Logs: \`${LOGDIR}/\`. Databases \`${HUB_DB}\` and \`${BASE_DB}\` are left for inspection. Total wall time: ${TOTAL_S} s."
} >"$RESULTS"

echo
cat "$RESULTS"
echo
log "written to $RESULTS"
[ "$VERIFY_FAILED" -eq 0 ] || die "verification FAILED"
