# Shared by the bench scripts (sourced, not run): progress lines, failing, psql, the checks before start.
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# database sql -> unaligned rows, no headers
psql_q() { psql -h 127.0.0.1 -U postgres -d "$1" -v ON_ERROR_STOP=1 -qAtc "$2"; }
require_tools() { local tool; for tool in "$@"; do command -v "$tool" >/dev/null || die "$tool is missing (bench/README.md)"; done; }
require_free_ports() {
  local port
  for port in "$@"; do ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || die "port $port is in use"; done
}
# url what pid seconds log: returns once the url answers 200; dies when the process ends first or the time is up
wait_for() {
  local i
  for ((i = 0; i < $4 * 10; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" = 200 ] && return
    kill -0 "$3" 2>/dev/null || die "$2 did not start (see $5)"
    sleep 0.1
  done
  die "$2 not ready after $4 s (see $5)"
}
