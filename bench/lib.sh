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
