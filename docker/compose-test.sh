#!/usr/bin/env bash
# Brings up docker/compose.yaml (dlr-hub + PostgreSQL + Mailpit + WireMock CRM stub) under its own
# project name, sends ONE failed sms.by webhook and follows it to every place it must reach: the
# database row, the CRM stub, the alert e-mail; checks that `down` and `up` keep dlr-hub's data
# volume (generated tokens). Then tears everything down with its volumes.
#   docker/compose-test.sh
# Uses `docker compose` when a Docker engine answers (`docker info`), else `podman-compose`.
# Host ports are picked free on 127.0.0.1 (compose.yaml's DLRHUB_HTTP_PORT & co.); the alert digest
# window is shortened to 2 s (ALERT_DIGEST_SECONDS). Prints one PASS/FAIL line per check and ends
# with "N passed, N failed"; exits 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

. docker/checks.sh
PROJECT=${COMPOSE_PROJECT:-dlrhubcomposetest$$}
if [ "$ENGINE" = docker ]; then
  COMPOSE=(docker compose -p "$PROJECT" -f docker/compose.yaml)
else
  COMPOSE=(podman-compose -p "$PROJECT" -f docker/compose.yaml)
  # podman's default OCI image format drops the Dockerfile's HEALTHCHECK
  export BUILDAH_FORMAT=docker
fi
TMP=$(mktemp -d)

ports=()
while [ ${#ports[@]} -lt 4 ]; do
  p=$(free_port); [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
export DLRHUB_HTTP_PORT=${ports[0]} DLRHUB_MANAGEMENT_PORT=${ports[1]} MAILPIT_UI_PORT=${ports[2]} CRM_STUB_PORT=${ports[3]}
export ALERT_DIGEST_SECONDS=2
BASE=http://127.0.0.1:$DLRHUB_HTTP_PORT
MGMT=http://127.0.0.1:$DLRHUB_MANAGEMENT_PORT
# credentials are the ones written in docker/compose.yaml
SMSBY_TOKEN=change-me-smsby-token
ADMIN_TOKEN=change-me-admin-token

container() {  # container SERVICE: id of the service's container (both compose tools set these labels)
  $ENGINE ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$1" | head -n 1
}
down() {
  "${COMPOSE[@]}" down -v >"$TMP/down.log" 2>&1
  if [ "$ENGINE" = podman ]; then
    # podman-compose 1.0.3 leaves the network and the image it built
    podman network rm -f "${PROJECT}_default" >/dev/null 2>&1
    podman rmi "${PROJECT}_dlr-hub" >/dev/null 2>&1
  else
    docker rmi "${PROJECT}-dlr-hub" >/dev/null 2>&1
  fi
}
cleanup() {
  if [ -n "${PROJECT:-}" ]; then down; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- up ------------------------------------------------------------------------------------------
t0=$(date +%s)
"${COMPOSE[@]}" up -d --build >"$TMP/up.log" 2>&1
rc=$?
[ $rc -eq 0 ] || tail -n 40 "$TMP/up.log"
verdict $rc "compose up --build" "project $PROJECT, $(($(date +%s) - t0)) s"

# dlr-hub may start before PostgreSQL accepts connections (podman-compose ignores depends_on
# conditions): it waits up to DB_STARTUP_TIMEOUT_MS, and the restart policy starts it again
t0=$(date +%s); ready=
for _ in $(seq 1 180); do
  if [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$MGMT/observe/health/ready")" = 200 ]; then ready=yes; break; fi
  sleep 1
done
HUB=$(container dlr-hub)
restarts=$($ENGINE inspect -f '{{.RestartCount}}' "$HUB" 2>/dev/null)
[ -n "$ready" ]
verdict $? "dlr-hub ready on PostgreSQL" "after $(($(date +%s) - t0)) s, restarts: ${restarts:-?}"
if [ -z "$ready" ]; then
  $ENGINE logs "$HUB" 2>&1 | tail -n 30
  for name in "FAILED sms.by webhook -> 200 accepted" "stored in PostgreSQL" "the CRM stub received it" \
              "an alert e-mail arrived" "down and up: generated token and data kept"; do
    fail "$name" "not tried: dlr-hub is not ready"
  done
  summary
fi

# --- one FAILED webhook -------------------------------------------------------------------------
MSG=compose-$$-$RANDOM
r=$(curl -s -m 20 -w ' %{http_code}' -X POST "$BASE/webhooks/smsby?token=$SMSBY_TOKEN" \
         -H 'Content-Type: application/x-www-form-urlencoded' --data "channel=SMS&message_id=$MSG&status=NOT_DELIVERED")
[[ "$r" == *'"status":"accepted"'*' 200' ]]
verdict $? "FAILED sms.by webhook -> 200 accepted" "$r"

# the row in PostgreSQL
row=$($ENGINE exec "$(container postgres)" psql -U dlrhub -d dlrhub -tA -c \
      "SELECT status || ' ' || provider_status FROM delivery_event WHERE provider = 'smsby' AND message_id = '$MSG'" 2>&1)
[ "$row" = "FAILED NOT_DELIVERED" ]
verdict $? "stored in PostgreSQL" "delivery_event: ${row:-no row}"

# the CRM stub received it (WireMock's admin API, the same in the real image and the stand-in)
crm=
for _ in $(seq 1 30); do
  crm=$(curl -s -m 5 "http://127.0.0.1:$CRM_STUB_PORT/__admin/requests" | python3 -c '
import json, sys
msg = sys.argv[1]
for r in json.load(sys.stdin).get("requests", []):
    q = r.get("request", {})
    if q.get("url") == "/crm/dlr" and msg in q.get("body", ""):
        status = json.loads(q["body"]).get("status")
        answered = r.get("responseDefinition", {}).get("status")
        key = "present" if "idempotency-key" in {k.lower() for k in q.get("headers", {})} else "MISSING"
        print("POST /crm/dlr status=%s answered %s, Idempotency-Key %s" % (status, answered, key))
        break' "$MSG" 2>/dev/null)
  [ -n "$crm" ] && break
  sleep 1
done
[[ "$crm" == *"status=FAILED"*"present" ]]
verdict $? "the CRM stub received it" "${crm:-nothing for $MSG in /__admin/requests}"

# the alert e-mail. Mailpit (the real image) lists received mails at /api/v1/messages on its web
# port; the local stand-in (.ci/run on machines without a registry) has no API and prints each mail
# to its log. The check asks the API first and reads the log when there is no API: the one thing
# both share is that a mail with our subject "[dlr-hub] ... failed deliver..." shows up there.
MAIL=$(container mail)
mail=
for _ in $(seq 1 60); do
  api=$(curl -s -m 5 "http://127.0.0.1:$MAILPIT_UI_PORT/api/v1/messages" 2>/dev/null)
  mail=$(printf '%s' "$api" | python3 -c '
import json, sys
for m in json.load(sys.stdin).get("messages", []):
    if m.get("Subject", "").startswith("[dlr-hub]"):
        print("Mailpit API: " + m["Subject"] + " to " + ",".join(a.get("Address", "") for a in m.get("To") or [])); break' 2>/dev/null)
  if [ -z "$mail" ]; then
    $ENGINE logs "$MAIL" >"$TMP/mail.log" 2>&1
    if grep -q "$MSG" "$TMP/mail.log"; then
      mail="mail log: $(grep -m 1 -o 'Subject: \[dlr-hub\].*' "$TMP/mail.log" | tr -d '\r'), body names $MSG"
    fi
  fi
  [ -n "$mail" ] && break
  sleep 1
done
[[ "$mail" == *"[dlr-hub]"* ]]
verdict $? "an alert e-mail arrived" "${mail:-no mail from dlr-hub within 60 s}"

# --- down and up again: /app/data is a named volume, generated tokens survive -----------------
# (vonage has no credential in compose.yaml, so dlr-hub generated a token for it)
vonage_token() { $ENGINE exec "$(container dlr-hub)" cat /app/data/generated-tokens.properties 2>/dev/null | sed -n 's/^vonage\.tokens=//p'; }
before=$(vonage_token)
"${COMPOSE[@]}" down >>"$TMP/down.log" 2>&1
"${COMPOSE[@]}" up -d >>"$TMP/up.log" 2>&1
ready=
for _ in $(seq 1 120); do
  if [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$MGMT/observe/health/ready")" = 200 ]; then ready=yes; break; fi
  sleep 1
done
after=$(vonage_token)
r=$(curl -s -m 20 -w ' %{http_code}' -X POST "$BASE/webhooks/smsby?token=$SMSBY_TOKEN" \
         -H 'Content-Type: application/x-www-form-urlencoded' --data "channel=SMS&message_id=$MSG&status=NOT_DELIVERED")
[ -n "$ready" ] && [ -n "$before" ] && [ "$after" = "$before" ] && [[ "$r" == *'"status":"duplicate"'*' 200' ]]
verdict $? "down and up: generated token and data kept" "ready: ${ready:-no}; generated vonage token $( [ -n "$before" ] && [ "$after" = "$before" ] && echo kept || echo "not kept (${#before} -> ${#after} characters)"); the webhook again: $r"

# --- down with volumes --------------------------------------------------------------------------
down
left=$($ENGINE volume ls -q --filter "label=com.docker.compose.project=$PROJECT"; $ENGINE ps -aq --filter "label=com.docker.compose.project=$PROJECT")
[ -z "$left" ]
verdict $? "compose down -v removes containers and volumes" "${left:+left: $(echo $left)}"
PROJECT=

summary
