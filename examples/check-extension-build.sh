#!/usr/bin/env bash
# Checks the documented way to add a Camel component (docs/extending.md "Extending: adding a sink") for real:
# builds the jar with `mvn package -P rabbitmq` in a scratch copy of the project (this checkout's
# target/ is left alone), then checks that the component's jars are in target/lib and on the jar's
# manifest Class-Path, and that `java -jar target/dlr-hub.jar` starts with
# examples/sink-rabbitmq.camel.yaml and delivers a webhook's event to the RabbitMQ on 127.0.0.1:5672.
# Without that profile the same start fails (ClassNotFoundException: com.rabbitmq.jms.admin.RMQConnectionFactory).
#   examples/check-extension-build.sh          (offline: from ~/.m2; MAVEN_OFFLINE= lets Maven download)
# Prints one PASS/FAIL line per check and ends with "N passed, N failed"; exits 1 if any failed.
# Its hub listens on 127.0.0.1 only; the scratch copy and the hub are removed on exit.
set -uo pipefail
cd "$(dirname "$0")/.."
ENGINE=${ENGINE:-none}   # no container here: skip checks.sh's engine probe
. docker/checks.sh

WORK=$(mktemp -d)
HUB_PID=
cleanup() {
  [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null && wait "$HUB_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp -r pom.xml src routes examples "$WORK"/
( cd "$WORK" && mvn -B -q ${MAVEN_OFFLINE--o} package -P rabbitmq -DskipTests ) > "$WORK/build.log" 2>&1
verdict $? "mvn package -P rabbitmq builds" "$(tail -n 3 "$WORK/build.log" | tr '\n' ' ')"

manifest=$(unzip -p "$WORK/target/dlr-hub.jar" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\r\n ')
for jar in camel-jms rabbitmq-jms amqp-client; do
  found=$(ls "$WORK"/target/lib/"$jar"-*.jar 2>/dev/null | head -n 1)
  [ -n "$found" ]; verdict $? "$jar is in target/lib" "$found"
  case "$manifest" in *"lib/$jar-"*) pass "$jar is on the manifest Class-Path" ;; *) fail "$jar is on the manifest Class-Path" ;; esac
done

# the built jar, started as a user starts it, with the example sink
HTTP_PORT=$(free_port)
MGMT_PORT=$(free_port)
while [ "$MGMT_PORT" = "$HTTP_PORT" ]; do MGMT_PORT=$(free_port); done
ADMIN=check-admin-$RANDOM$RANDOM
( cd "$WORK" && exec env HTTP_HOST=127.0.0.1 HTTP_PORT=$HTTP_PORT MANAGEMENT_HOST=127.0.0.1 MANAGEMENT_PORT=$MGMT_PORT \
    ADMIN_TOKEN=$ADMIN SMSBY_TOKENS=check-token GENERATED_TOKENS_FILE="$WORK/tokens.properties" \
    DB_URL="jdbc:h2:mem:check;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1" \
    CAMEL_MAIN_ROUTESINCLUDEPATTERN="file:routes/*.camel.yaml,file:examples/sink-rabbitmq.camel.yaml" \
    RABBITMQ_URI="amqp://guest:guest@127.0.0.1:5672/%2f" RABBITMQ_ROUTING_KEY="dlrhub-check-$$" \
    java -jar target/dlr-hub.jar ) > "$WORK/hub.log" 2>&1 &
HUB_PID=$!
ready=1
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "http://127.0.0.1:$MGMT_PORT/observe/health/ready" 2>/dev/null && { ready=0; break; }
  kill -0 "$HUB_PID" 2>/dev/null || break
  sleep 0.5
done
verdict $ready "java -jar starts with examples/sink-rabbitmq.camel.yaml" "$(grep -m1 -E 'ERROR|Exception' "$WORK/hub.log")"

curl -fsS -o /dev/null -X POST "http://127.0.0.1:$HTTP_PORT/webhooks/smsby?token=check-token" \
     --data 'channel=SMS&message_id=check-1&status=DELIVERED'
state=
for _ in $(seq 1 40); do
  state=$(curl -fsS -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$MGMT_PORT/api/messages/smsby/check-1" 2>/dev/null \
          | python3 -c 'import json,sys; d=json.load(sys.stdin); print(",".join(x["state"] for e in d["events"] for x in e["deliveries"] if x["sink"]=="rabbitmq"))' 2>/dev/null)
  [ "$state" = delivered ] && break
  sleep 0.5
done
[ "$state" = delivered ]; verdict $? "the event is delivered to RabbitMQ by the rabbitmq sink" "state: ${state:-none}"
summary
