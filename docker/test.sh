#!/usr/bin/env bash
# Builds docker/Dockerfile and checks the image for real: start, health, user, webhooks, data volume,
# a mounted route file, JSON logs and a graceful stop. Run from anywhere:
#   docker/test.sh
# Uses `docker` when a Docker engine answers (`docker info`), else `podman` (ENGINE=docker|podman forces one).
# Settings (environment):
#   IMAGE         tag of the image it builds and keeps for a fast rebuild   (default dlr-hub:test)
#   PULL_POLICY   podman only: --pull for the base images (missing|always|never; default missing;
#                 .ci/run sets never for the local stand-ins of the base images)
#   READY_LIMIT   seconds within which the container must be ready         (default 15)
#   SKIP_BUILD=1  check $IMAGE as it is, without building it
# Prints one PASS/FAIL line per check and ends with "N passed, N failed"; exits 1 if any failed.
# Publishes ports on 127.0.0.1 only and sends every request there. Its containers, volume and
# temporary files are removed on exit; the image stays (remove it with `docker rmi dlr-hub:test`).
set -uo pipefail
cd "$(dirname "$0")/.."

. docker/checks.sh
IMAGE=${IMAGE:-dlr-hub:test}
READY_LIMIT=${READY_LIMIT:-15}
ADMIN=test-admin-token-$RANDOM$RANDOM
RUN_ID=dlrhub-test-$$
C1=$RUN_ID-1
C2=$RUN_ID-2
VOLUME=$RUN_ID-data
TMP=$(mktemp -d)

cleanup() {
  $ENGINE rm -f "$C1" "$C2" >/dev/null 2>&1
  $ENGINE volume rm -f "$VOLUME" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

HTTP_PORT=$(free_port)
MGMT_PORT=$(free_port)
while [ "$MGMT_PORT" = "$HTTP_PORT" ]; do MGMT_PORT=$(free_port); done
BASE=http://127.0.0.1:$HTTP_PORT
MGMT=http://127.0.0.1:$MGMT_PORT

# --- build ---------------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  build_opts=()
  # podman's default OCI format has no HEALTHCHECK: build in Docker format so the image keeps it
  [ "$ENGINE" = podman ] && build_opts=(--format docker --pull="${PULL_POLICY:-missing}")
  previous=$($ENGINE image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null)
  started=$(date +%s)
  if $ENGINE build ${build_opts[@]+"${build_opts[@]}"} -f docker/Dockerfile -t "$IMAGE" . >"$TMP/build.log" 2>&1; then
    pass "image builds" "$ENGINE, $(($(date +%s) - started)) s"
    # the image this tag named before, now untagged: removed, so reruns do not pile up images
    if [ -n "$previous" ] && [ "$previous" != "$($ENGINE image inspect -f '{{.Id}}' "$IMAGE")" ]; then
      $ENGINE rmi "$previous" >/dev/null 2>&1
    fi
  else
    tail -n 40 "$TMP/build.log"
    fail "image builds" "$ENGINE build failed (last lines above)"
    summary
  fi
fi

# --- helpers -------------------------------------------------------------------------------------
# post URL BODY: prints "<http status> <body>"
post() {
  curl -s -m 20 -o "$TMP/body" -w '%{http_code}' -X POST "$1" \
       -H 'Content-Type: application/x-www-form-urlencoded' --data "$2" >"$TMP/code" 2>/dev/null
  echo "$(cat "$TMP/code") $(cat "$TMP/body" 2>/dev/null)"
}
now() { python3 -c 'import time; print(time.time())'; }   # seconds, with fractions (date +%N is not portable)
# wait_ready NAME: polls the readiness endpoint for up to 90 s; prints the seconds it took
wait_ready() {
  local t0 code; t0=$(now)
  for _ in $(seq 1 360); do
    code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$MGMT/observe/health/ready" 2>/dev/null)
    if [ "$code" = 200 ]; then python3 -c "print(f'{$(now) - $t0:.1f}')"; return 0; fi
    [ "$($ENGINE inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ] || break
    sleep 0.25
  done
  echo "not ready"; return 1
}
# token NAME PROVIDER: the provider's generated token, read from the data volume
token() { $ENGINE exec "$1" cat /app/data/generated-tokens.properties 2>/dev/null | sed -n "s/^$2\.tokens=//p"; }
run() {  # run NAME [extra options]: the image on the test volume, ports on 127.0.0.1, JSON logs
  local name=$1; shift
  # (podman without systemd complains on stderr that it cannot schedule the healthcheck: shown only on failure)
  $ENGINE run -d --name "$name" -p "127.0.0.1:$HTTP_PORT:8080" -p "127.0.0.1:$MGMT_PORT:9876" \
    -v "$VOLUME:/app/data" -e LOG_FORMAT=json -e ADMIN_TOKEN="$ADMIN" "$@" "$IMAGE" >/dev/null 2>"$TMP/run.err" \
    || { cat "$TMP/run.err" >&2; return 1; }
}

# --- first container ------------------------------------------------------------------------------
$ENGINE volume create "$VOLUME" >/dev/null
if ! run "$C1"; then fail "container starts" "$ENGINE run failed"; summary; fi
secs=$(wait_ready "$C1"); ok=$?
[ $ok -eq 0 ] && python3 -c "import sys; sys.exit(0 if $secs <= $READY_LIMIT else 1)"
verdict $? "ready within ${READY_LIMIT} s" "/observe/health/ready 200 after $secs s"
if [ $ok -ne 0 ]; then $ENGINE logs "$C1" 2>&1 | tail -n 30; fi

# the image's own HEALTHCHECK (docker runs it periodically; podman without systemd does not)
if [ "$ENGINE" = podman ]; then
  health=$(podman healthcheck run "$C1" 2>&1) && health=healthy
else
  for _ in $(seq 1 45); do
    health=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}no HEALTHCHECK{{end}}' "$C1")
    [ "$health" = starting ] || break
    sleep 1
  done
fi
[ "$health" = healthy ]
verdict $? "HEALTHCHECK reports healthy" "$health"

uid=$($ENGINE exec "$C1" id -u 2>&1)
[ -n "$uid" ] && [ "$uid" != 0 ]
verdict $? "runs as a non-root user" "id -u = $uid"
pid1=$($ENGINE exec "$C1" cat /proc/1/comm 2>&1)
[ "$pid1" = java ]
verdict $? "the JVM is PID 1 (gets SIGTERM itself)" "PID 1: $pid1"

TOKEN=$(token "$C1" smsby)
[ -n "$TOKEN" ]
verdict $? "generated sms.by token in /app/data" "$( [ -n "$TOKEN" ] && echo "${#TOKEN} characters" || echo missing)"

FORM='channel=VIBER&message_id=2892295&status=SENT'
r=$(post "$BASE/webhooks/smsby?token=$TOKEN" "$FORM")
[[ "$r" == 200*'"status":"accepted"'* ]]
verdict $? "sms.by example webhook -> 200 accepted" "$r"
r=$(post "$BASE/webhooks/smsby?token=$TOKEN" "$FORM")
[[ "$r" == 200*'"status":"duplicate"'* ]]
verdict $? "the same webhook again -> 200 duplicate" "$r"
r=$(post "$BASE/webhooks/smsby?token=wrong-$TOKEN" "$FORM")
[[ "$r" == 401* ]]
verdict $? "a wrong token -> 401" "$r"

# --- SIGTERM: graceful stop within the grace period ----------------------------------------------
t0=$(date +%s)
$ENGINE stop -t 40 "$C1" >/dev/null 2>&1
took=$(($(date +%s) - t0))
code=$($ENGINE inspect -f '{{.State.ExitCode}}' "$C1" 2>/dev/null)
$ENGINE logs "$C1" >"$TMP/c1.log" 2>&1
shutdown_line=$(grep -m 1 -o -E 'Apache Camel [^"]* shutdown in [^"]*' "$TMP/c1.log")
[ "$code" = 143 ] && [ "$took" -lt 40 ] && [ -n "$shutdown_line" ]
verdict $? "SIGTERM: stops gracefully, exit code 143" "stop took $took s (grace 40 s), exit code $code, log: ${shutdown_line:-no shutdown line}"

# --- LOG_FORMAT=json: every line of output is a JSON object ---------------------------------------
bad=$(python3 -c '
import json, sys
bad = [l for l in open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines() if l.strip()]
def ok(l):
    try: return isinstance(json.loads(l), dict)
    except ValueError: return False
bad = [l for l in bad if not ok(l)]
print(len(bad)); [print("   not JSON: " + l[:160]) for l in bad[:3]]' "$TMP/c1.log")
[ "$(echo "$bad" | head -n 1)" = 0 ]
verdict $? "LOG_FORMAT=json: every output line is JSON" "$(wc -l <"$TMP/c1.log") lines, $(echo "$bad" | head -n 1) not JSON"
[ "$(echo "$bad" | head -n 1)" = 0 ] || echo "$bad" | tail -n +2

# --- restart on the same volume, with a route file mounted into /app/routes ----------------------
# A copy of the sms.by adapter under a new provider name ("testsms"), mounted as one file (a whole
# folder over /app/routes would hide the built-in routes), plus its own status mapping file.
sed 's/smsby/testsms/g; s/sms\.by/testsms (test copy of sms.by)/g' routes/smsby.camel.yaml >"$TMP/testsms.camel.yaml"
cp routes/mappings/smsby.properties "$TMP/testsms.properties"
chmod 644 "$TMP/testsms.camel.yaml" "$TMP/testsms.properties"
$ENGINE rm "$C1" >/dev/null 2>&1
if ! run "$C2" -v "$TMP/testsms.camel.yaml:/app/routes/testsms.camel.yaml:ro" \
               -v "$TMP/testsms.properties:/app/routes/mappings/testsms.properties:ro"; then
  fail "container starts again on the same volume" "$ENGINE run failed"; summary
fi
secs=$(wait_ready "$C2") || $ENGINE logs "$C2" 2>&1 | tail -n 30
TOKEN2=$(token "$C2" smsby)
r=$(post "$BASE/webhooks/smsby?token=$TOKEN" "$FORM")
[ -n "$TOKEN" ] && [ "$TOKEN2" = "$TOKEN" ] && [[ "$r" == 200*'"status":"duplicate"'* ]]
verdict $? "restart with the volume: same token, repeat still duplicate" "ready after $secs s; token $( [ -n "$TOKEN" ] && [ "$TOKEN2" = "$TOKEN" ] && echo kept || echo changed); $r"

TTOKEN=$(token "$C2" testsms)
r=$(post "$BASE/webhooks/testsms?token=$TTOKEN" 'channel=SMS&message_id=mounted-1&status=NOT_DELIVERED')
status=$(curl -s -m 10 -H "Authorization: Bearer $ADMIN" "$MGMT/api/messages/testsms/mounted-1" |
         python3 -c 'import json,sys; print(json.load(sys.stdin).get("status") or "")' 2>/dev/null)
[ -n "$TTOKEN" ] && [[ "$r" == 200*'"status":"accepted"'* ]] && [ "$status" = FAILED ]
verdict $? "a route file mounted into /app/routes adds a provider" "/webhooks/testsms: $r; stored status ${status:-?} (NOT_DELIVERED mapped by the mounted mapping file)"

summary
