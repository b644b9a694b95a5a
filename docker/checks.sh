# Shared by docker/test.sh and docker/compose-test.sh (sourced, not run): the container engine, the
# PASS/FAIL bookkeeping and the closing "N passed, N failed" line.

# ENGINE: docker when a Docker engine answers, else podman (ENGINE=docker|podman forces one)
if [ -z "${ENGINE:-}" ]; then
  if docker info >/dev/null 2>&1; then ENGINE=docker
  elif command -v podman >/dev/null 2>&1; then ENGINE=podman
  else echo "$(basename "$0"): no Docker engine answers and podman is not installed" >&2; exit 2
  fi
fi
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $1${2:+ -- $2}"; }
fail() { failed=$((failed + 1)); echo "FAIL $1${2:+ -- $2}"; }
# verdict $? NAME DETAIL: PASS or FAIL by the exit status of the command just before it
verdict() { if [ "$1" -eq 0 ]; then pass "$2" "$3"; else fail "$2" "$3"; fi; }
# the closing line; exits 0 only when nothing failed
summary() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
