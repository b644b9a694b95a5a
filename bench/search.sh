#!/usr/bin/env bash
# Search and dead-list latency of the operations API with millions of events stored (issue 19's
# measure: search by message id and the dead list in <= 50 ms p99 with 10 million events).
# Seeds its own PostgreSQL database with generate_series (several providers, 30 days of events,
# a crm delivery for each: mostly delivered, 0.1 % dead, the newest few pending), starts dlr-hub
# on it and times GET /api/events?message_id=, ?message_id_prefix=, GET /api/outbox?state=dead
# and GET /api/events?sink=crm&sink_state=dead with wrk (bench/search.lua), one request at a time.
#
#   bench/search.sh                               # 10 million events: seeding takes minutes
#   EVENTS=1000000 bench/search.sh                # a quick check
#   KEEP=1 SKIP_SEED=1 bench/search.sh            # measure again on the database a KEEP=1 run left
#
# Needs what bench/run.sh needs (PostgreSQL on 127.0.0.1:5432 as postgres with trust, psql, wrk,
# Java 17, curl). Uses the database dlrhub_search_bench (dropped and created; dropped at the end
# unless KEEP=1) and ports 18180, 19976 (18191 is the CRM's URL: nothing listens there).
# Prints a Markdown table; writes nothing to RESULTS.md. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-10000000}
DURATION=${DURATION:-20}
DURATION_WARMUP=${DURATION_WARMUP:-5}
CONNECTIONS=${CONNECTIONS:-1}
KEEP=${KEEP:-0}
SKIP_SEED=${SKIP_SEED:-0}
DB=${BENCH_DB:-dlrhub_search_bench}
HTTP_PORT=${BENCH_HTTP_PORT:-18180}
MGMT_PORT=${BENCH_MANAGEMENT_PORT:-19976}
CRM_PORT=${BENCH_CRM_PORT:-18191}
ADMIN=bench-admin
JAVA_OPTS=${JAVA_OPTS--XX:+UseSerialGC -Xmx128m -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m}
LOGDIR=bench/logs-search-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$LOGDIR"

source bench/lib.sh
psql_f() { psql -h 127.0.0.1 -U postgres -d "$DB" -v ON_ERROR_STOP=1 -qAt "$@"; }
load() { cut -d' ' -f1 /proc/loadavg; }
secs_since() { echo $(( $(date +%s) - $1 )); }

[[ "$EVENTS" =~ ^[0-9]+$ ]] && [ "$EVENTS" -ge 2 ] || die "EVENTS must be a whole number >= 2"
[[ "$DB" =~ ^[a-z_][a-z0-9_]*$ ]] || die "BENCH_DB must be a plain lower-case name"
case "$DB" in test | postgres | template0 | template1) die "BENCH_DB=$DB: not a database this script may drop" ;; esac
if [ "$SKIP_SEED" = 1 ]; then KEEP=1; fi

HUB_PID=
CREATED_DB=0
cleanup() {
  if [ -n "$HUB_PID" ]; then kill "$HUB_PID" 2>/dev/null || true; wait "$HUB_PID" 2>/dev/null || true; fi
  if [ "$CREATED_DB" = 1 ] && [ "$KEEP" != 1 ]; then
    log "dropping database $DB (KEEP=1 keeps it)"
    psql_q postgres "DROP DATABASE IF EXISTS $DB" || true
  fi
}
trap cleanup EXIT

require_tools java psql curl wrk awk
require_free_ports "$HTTP_PORT" "$MGMT_PORT" "$CRM_PORT"
if [ ! -f target/dlr-hub.jar ]; then log "building target/dlr-hub.jar"; mvn -q -B -DskipTests package; fi

start_hub() {
  # CRM_URL: the crm sink stays enabled (its rows are real deliveries), but nothing listens there;
  # the seeded pending rows are due only tomorrow, so the dispatcher claims nothing meanwhile.
  env DB_URL="jdbc:postgresql://127.0.0.1:5432/$DB" DB_USER=postgres SMSBY_TOKENS=bench-token \
      CRM_URL="http://127.0.0.1:$CRM_PORT/crm" HTTP_PORT="$HTTP_PORT" MANAGEMENT_PORT="$MGMT_PORT" LOG_LEVEL=WARN \
      ADMIN_TOKEN="$ADMIN" RETENTION_DAYS=0 \
      java $JAVA_OPTS -jar target/dlr-hub.jar >>"$LOGDIR/dlr-hub.log" 2>&1 &
  HUB_PID=$!
  wait_for "http://127.0.0.1:$MGMT_PORT/observe/health/ready" dlr-hub "$HUB_PID" 180 "$LOGDIR/dlr-hub.log"
}
stop_hub() { kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true; HUB_PID=; }

# One row per event g = 1..EVENTS, two events per message m (SENT, then DELIVERED or, one in
# 40, FAILED), computed, not random, so the ids can be drawn again later. Providers by m % 10:
# 0-4 sms.by (numeric ids like 2892295, a third over Viber), 5-6 Twilio (SM + 32 hex), 7-8
# Vonage (16 hex), 9 Infobip (a UUID). Messages spread evenly over the 30 days before T0.
MESSAGES=$(( (EVENTS + 1) / 2 ))
PI_SQL="CASE WHEN m % 10 < 5 THEN 1 WHEN m % 10 < 7 THEN 2 WHEN m % 10 < 9 THEN 3 ELSE 4 END"
MSGID_SQL="CASE pi WHEN 1 THEN (2000000 + m)::text WHEN 2 THEN 'SM' || md5('t' || m)
  WHEN 3 THEN upper(substr(md5('v' || m), 1, 16)) ELSE md5('i' || m)::uuid::text END"
seed_view() { # T0
  cat <<SQL
CREATE TEMP VIEW seed AS
SELECT g, m, pi, first, provider, channel, message_id, status, provider_status, error_code, received_at,
       CASE WHEN pi = 1 THEN NULL ELSE received_at - interval '2 seconds' END AS occurred_at,
       -- a version 7 UUID, as EventIds makes them: the milliseconds of received_at, then "random" bits
       (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(r, 1, 3) || '-8' || substr(r, 4, 3)
        || '-' || substr(r, 7, 12))::uuid AS event_id
FROM (
  SELECT g, m, pi, first, message_id, received_at,
         (ARRAY['smsby', 'twilio', 'vonage', 'infobip'])[pi] AS provider,
         CASE WHEN pi = 1 AND m % 3 = 0 THEN 'VIBER' ELSE 'SMS' END AS channel,
         CASE WHEN first THEN 'SENT' WHEN failed THEN 'FAILED' ELSE 'DELIVERED' END AS status,
         CASE WHEN first THEN (ARRAY['SENT', 'sent', 'accepted', 'PENDING_ENROUTE'])[pi]
              WHEN failed THEN (ARRAY['UNDELIVERED', 'undelivered', 'failed', 'UNDELIVERABLE_NOT_DELIVERED'])[pi]
              ELSE (ARRAY['DELIVERED', 'delivered', 'delivered', 'DELIVERED_TO_HANDSET'])[pi] END AS provider_status,
         CASE WHEN failed AND NOT first THEN (ARRAY['1', '30005', '2', 'EC_ABSENT_SUBSCRIBER'])[pi] END AS error_code,
         lpad(to_hex((extract(epoch FROM received_at) * 1000)::bigint), 12, '0') AS h,
         md5(g::text) AS r
  FROM (
    SELECT g, m, pi, first, m % 40 = 0 AS failed, ${MSGID_SQL} AS message_id,
           timestamptz '$1' - interval '30 days 2 minutes' + m * (2592000.0 / ${MESSAGES}) * interval '1 second'
             + CASE WHEN first THEN 0 ELSE 5 + m % 50 END * interval '1 second' + g % 997 * interval '1 millisecond'
             AS received_at
    FROM (SELECT g, m, ${PI_SQL} AS pi, g % 2 = 1 AS first
          FROM (SELECT g, (g + 1) / 2 AS m FROM generate_series(1, ${EVENTS}) g) a) b
  ) c
) d;
SQL
}

seed_sql() { # label, SQL run after the seed view is defined; logs how long it took
  local t
  t=$(date +%s)
  { seed_view "$T0"; echo "SET work_mem = '64MB';"; echo "$2"; } | psql_f >/dev/null
  log "  $1: $(secs_since "$t") s"
}

seed() {
  local t_all tables
  t_all=$(date +%s)
  T0=$(psql_q postgres "SELECT now()")
  # Inserting into indexed tables is several times slower than building the indexes afterwards:
  # the migrated keys and indexes are dropped for the load and recreated from their own definitions.
  tables="'delivery_event'::regclass, 'outbox'::regclass, 'message_status'::regclass, 'delivery_attempt'::regclass"
  psql_f -c "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid IN ($tables) ORDER BY 1" >"$LOGDIR/indexes-before.txt"
  psql_f -c "SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s;', conrelid::regclass, conname, pg_get_constraintdef(oid))
             FROM pg_constraint WHERE contype IN ('p', 'u') AND conrelid IN ($tables)
             UNION ALL
             SELECT pg_get_indexdef(indexrelid) || ';' FROM pg_index
             WHERE indrelid IN ($tables) AND indexrelid NOT IN (SELECT conindid FROM pg_constraint)" >"$LOGDIR/recreate.sql"
  psql_f -c "SELECT format('ALTER TABLE %s DROP CONSTRAINT %I;', conrelid::regclass, conname)
             FROM pg_constraint WHERE contype IN ('p', 'u') AND conrelid IN ($tables)
             UNION ALL
             SELECT format('DROP INDEX %s;', indexrelid::regclass) FROM pg_index
             WHERE indrelid IN ($tables) AND indexrelid NOT IN (SELECT conindid FROM pg_constraint)" >"$LOGDIR/drop.sql"
  psql_f -f "$LOGDIR/drop.sql" >/dev/null

  log "seeding $EVENTS events ($MESSAGES messages), load $(load)"
  seed_sql "delivery_event" "
INSERT INTO delivery_event (event_id, provider, channel, message_id, status, provider_status, error_code,
                            occurred_at, received_at, dedup_key, payload)
SELECT event_id, provider, channel, message_id, status, provider_status, error_code, occurred_at, received_at,
       channel || chr(31) || message_id || chr(31) || provider_status,
       json_build_object('event_id', event_id, 'provider', provider, 'channel', channel, 'message_id', message_id,
                         'status', status, 'provider_status', provider_status, 'error_code', error_code,
                         'occurred_at', occurred_at, 'received_at', received_at,
                         'attributes', json_build_object('to', '+37529' || lpad((m::bigint * 7919 % 10000000)::text, 7, '0')))::text
FROM seed;"
  # the message's last event: its second, or the only one of an odd last message
  seed_sql "message_status" "
INSERT INTO message_status (provider, message_id, channel, status, status_rank, event_id, updated_at)
SELECT provider, message_id, channel, status, CASE status WHEN 'SENT' THEN 2 ELSE 3 END, event_id, received_at
FROM seed WHERE NOT first OR g = ${EVENTS};"
  # one crm delivery per event, in received order: 0.1 % dead (after 15 attempts over 2 h 13 min),
  # the newest 0.02 % pending (3 attempts, the next due tomorrow: a CRM in backoff), the rest delivered
  seed_sql "outbox" "
INSERT INTO outbox (event_id, sink, state, attempts, next_attempt_at, last_error, created_at, updated_at, claim_version,
                    event_received_at)
SELECT event_id, 'crm', state, attempts,
       CASE state WHEN 'pending' THEN timestamptz '$T0' + interval '1 day' ELSE received_at END,
       CASE state WHEN 'dead' THEN 'HTTP 503 Service Unavailable' WHEN 'pending' THEN 'Connection refused' END,
       received_at,
       received_at + CASE state WHEN 'dead' THEN interval '2 hours 13 minutes'
                                WHEN 'pending' THEN interval '19 minutes' ELSE interval '40 milliseconds' END,
       attempts,
       -- a dead delivery carries its event's received_at (set when it goes dead; migration V7)
       CASE state WHEN 'dead' THEN received_at END
FROM (SELECT event_id, received_at,
             CASE WHEN g % 1000 = 500 THEN 'dead' WHEN g > ${EVENTS} - greatest(${EVENTS} / 5000, 1) THEN 'pending'
                  ELSE 'delivered' END AS state
      FROM seed) s
CROSS JOIN LATERAL (SELECT CASE s.state WHEN 'dead' THEN 15 WHEN 'pending' THEN 3 ELSE 1 END AS attempts) a;"
  seed_sql "delivery_attempt (dead and pending deliveries)" "
INSERT INTO delivery_attempt (outbox_id, event_id, sink, attempt, started_at, duration_ms, outcome, http_status, detail)
SELECT o.id, o.event_id, o.sink, a, o.created_at + (a - 1) * interval '570 seconds', 20 + a,
       CASE WHEN o.state = 'dead' AND a = o.attempts THEN 'dead' ELSE 'retry' END,
       CASE o.state WHEN 'dead' THEN 503 END, o.last_error
FROM outbox o CROSS JOIN LATERAL generate_series(1, o.attempts) a
WHERE o.state <> 'delivered'
ORDER BY o.id, a;"
  local t
  t=$(date +%s)
  { echo "SET maintenance_work_mem = '256MB';"; cat "$LOGDIR/recreate.sql"; } | psql_f >/dev/null
  log "  keys and indexes rebuilt: $(secs_since "$t") s"
  psql_f -c "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid IN ($tables) ORDER BY 1" >"$LOGDIR/indexes-after.txt"
  diff "$LOGDIR/indexes-before.txt" "$LOGDIR/indexes-after.txt" >&2 || die "the indexes differ from the migrated ones"
  t=$(date +%s)
  # VACUUM as well: autovacuum would otherwise start on the fresh tables during the measurement
  psql_f -c "VACUUM (ANALYZE) delivery_event, outbox, message_status, delivery_attempt" >/dev/null
  log "  VACUUM ANALYZE: $(secs_since "$t") s"
  SEED_SECONDS=$(secs_since "$t_all")
  log "seeded in ${SEED_SECONDS} s, load $(load)"
}

if [ "$SKIP_SEED" != 1 ]; then
  log "creating database $DB"
  psql_q postgres "DROP DATABASE IF EXISTS $DB"
  psql_q postgres "CREATE DATABASE $DB"
  CREATED_DB=1
  log "starting dlr-hub once to migrate the schema"
  start_hub
  stop_hub
  seed
else
  psql_q "$DB" "SELECT 1 FROM outbox LIMIT 1" >/dev/null || die "SKIP_SEED=1: no seeded database $DB"
  SEED_SECONDS="- (SKIP_SEED=1)"
  # the ids are drawn from the seed's formula, which needs the number of messages seeded
  MESSAGES=$(psql_q "$DB" "SELECT count(*) FROM message_status")
fi
STORED=$(psql_q "$DB" "SELECT (SELECT count(*) FROM delivery_event) || ' events, ' || (SELECT count(*) FROM message_status)
  || ' messages; outbox: ' || (SELECT string_agg(state || ' ' || n, ', ' ORDER BY state) FROM (SELECT state, count(*) n FROM outbox GROUP BY state) s)
  || '; ' || (SELECT count(*) FROM delivery_attempt) || ' attempts; average payload '
  || (SELECT round(avg(length(payload))) FROM (SELECT payload FROM delivery_event TABLESAMPLE SYSTEM (1)) p) || ' characters; database '
  || pg_size_pretty(pg_database_size(current_database()))")
log "stored: $STORED"

# random existing message ids (drawn from the same formula as the seed): one set for the warm-up,
# another for the measurement
draw_ids() { # count file
  psql_q "$DB" "SELECT ${MSGID_SQL} FROM (SELECT m, ${PI_SQL} AS pi
                FROM (SELECT 1 + floor(random() * ${MESSAGES})::int AS m FROM generate_series(1, $1)) r) s" >"$2"
}
draw_ids 1000 "$LOGDIR/ids-warmup.txt"
draw_ids 4000 "$LOGDIR/ids.txt"

log "starting dlr-hub (RETENTION_DAYS=0, crm sink enabled towards a closed port)"
start_hub
BASE=http://127.0.0.1:$MGMT_PORT
first_id=$(head -1 "$LOGDIR/ids.txt")
curl -sf -H "Authorization: Bearer $ADMIN" "$BASE/api/events?message_id=$first_id" | grep -q "\"message_id\":\"$first_id\"" \
  || die "GET /api/events?message_id=$first_id did not find the seeded message"

THREADS=$(( CONNECTIONS < 2 ? CONNECTIONS : 2 ))
measure() { # label mode ids-file seconds -> SEARCH_RESULT line
  local out="$LOGDIR/wrk-$1.txt"
  BENCH_TOKEN=$ADMIN timeout $(( $4 + 60 )) wrk -t"$THREADS" -c"$CONNECTIONS" -d"$4s" --timeout 10s -s bench/search.lua "$BASE" -- "$2" "$3" >"$out" 2>&1 \
    || die "wrk failed ($1), see $out"
  grep '^SEARCH_RESULT' "$out" || die "no result from wrk ($1), see $out"
}
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

MODES=(exact prefix dead-list sink-dead)
declare -A NAME=(
  [exact]='`GET /api/events?message_id=<id>`'
  [prefix]='`GET /api/events?message_id_prefix=<5 chars>`'
  [dead-list]='`GET /api/outbox?state=dead`'
  [sink-dead]='`GET /api/events?sink=crm&sink_state=dead`')
log "warm-up: ${DURATION_WARMUP} s per endpoint"
for mode in "${MODES[@]}"; do measure "warmup-$mode" "$mode" "$LOGDIR/ids-warmup.txt" "$DURATION_WARMUP" >/dev/null; done

ROWS=()
for mode in "${MODES[@]}"; do
  load_before=$(load)
  line=$(measure "$mode" "$mode" "$LOGDIR/ids.txt" "$DURATION")
  log "$mode: $line"
  ROWS+=("$(awk -v n="${NAME[$mode]}" -v r="$(kv requests "$line")" -v ok="$(kv ok "$line")" -v bad="$(kv non2xx "$line")" \
    -v empty="$(kv empty "$line")" -v p50="$(kv p50_us "$line")" -v p95="$(kv p95_us "$line")" -v p99="$(kv p99_us "$line")" \
    -v max="$(kv max_us "$line")" -v dus="$(kv duration_us "$line")" -v la="$load_before / $(load)" 'BEGIN {
      printf "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.0f | %d | %d | %s |", n, r, p50 / 1000, p95 / 1000, p99 / 1000, max / 1000,
             r / (dus / 1e6), bad, empty, la }')")
  [ "$(kv non2xx "$line")" = 0 ] || log "WARNING: non-2xx answers ($mode), see $LOGDIR/wrk-$mode.txt"
  [ "$(kv empty "$line")" = 0 ] || log "WARNING: searches that found nothing ($mode)"
done
stop_hub

{
  echo "## Search and dead-list latency, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- stored: $STORED"
  echo "- seeding (generate_series, keys and indexes rebuilt, VACUUM ANALYZE): ${SEED_SECONDS} s"
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), PostgreSQL $(psql_q postgres "SHOW server_version"), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "- load: wrk, ${CONNECTIONS} connection(s), each request sent when the previous answer arrived; per endpoint ${DURATION_WARMUP} s of warm-up (other ids), then ${DURATION} s measured; JAVA_OPTS=${JAVA_OPTS:-none}"
  echo
  echo "| request | requests | p50 ms | p95 ms | p99 ms | max ms | req/s | non-2xx | found nothing | load average (1 min) before / after |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Logs: \`$LOGDIR/\`."
} | tee "$LOGDIR/results.md"
