#!/usr/bin/env bash
# Smoke test of a running local cluster (after `cluster.sh up`). Checks, in order:
#   1. every process of `cluster.sh status` is healthy;
#   2. Kafka: 3 brokers, and the rooms topic has replication factor 3, min.insync.replicas 2, full ISRs;
#   3. HAProxy forwards a WebSocket upgrade (101, our subprotocol echoed) and consecutive upgrades alternate
#      between the two gateways (X-Switchboard-Server, set by HAProxy);
#   4. end to end through HAProxy (smoke_client.py, Python stdlib): two clients on different gateways, HS256
#      tokens minted here with the cluster's secret; N acked publishes on one gateway arrive once each, in
#      position order, at the acked positions, on the other gateway; a reply flows back;
#      When the presence service runs: a PresenceQuery lists both clients, and a DirectMessage between them
#      (router -> presence lookup -> control topic -> the other gateway) is acked with devices >= 1 and arrives.
# Exit 0 when everything passed; the first failure prints what was expected and exits 1.
#   SB_SMOKE_MESSAGES=20 (publishes in step 4); the SB_* port variables of cluster.sh apply.
#   SB_SMOKE_DEGRADED=1 for drills (runbooks in docs/ops/): a stopped process is a warning, 2 brokers suffice and
#   partial ISRs are accepted; steps 3 and 4 must still pass (a lost broker or gateway must not lose messages).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
RUN="${SB_RUN_DIR:-$HERE/.run}"
LB_PORT="${SB_LB_PORT:-18000}"
KAFKA_BROKER_BASE="${SB_KAFKA_BROKER_BASE:-19091}"
MESSAGES="${SB_SMOKE_MESSAGES:-20}"
DEGRADED="${SB_SMOKE_DEGRADED:-0}"

fail() { echo "SMOKE FAILED: $*" >&2; exit 1; }
step() { echo; echo "== $*"; }

[ -f "$RUN/secrets.env" ] || fail "no $RUN/secrets.env: start the cluster first (deploy/local-cluster/cluster.sh up)"
# shellcheck disable=SC1091
. "$RUN/secrets.env"
JAVA="$("$ROOT/bin/java-home")/bin/java"

step "1. cluster status"
if ! "$HERE/cluster.sh" status; then
  [ "$DEGRADED" = 1 ] || fail "a process is not healthy (see above; cluster.sh logs NAME)"
  echo "  (degraded mode: continuing without every process)"
fi

step "2. Kafka brokers and the rooms topic"
bootstrap="127.0.0.1:$KAFKA_BROKER_BASE,127.0.0.1:$((KAFKA_BROKER_BASE + 1)),127.0.0.1:$((KAFKA_BROKER_BASE + 2))"
brokers=3; [ "$DEGRADED" = 1 ] && brokers=2
admin=()
# A cluster started with `up --tls` speaks TLS only, with client certificates: KafkaReady gets the client settings.
ws=ws http=http tls=() client_tls=()
if [ -f "$RUN/tls/enabled" ]; then
  admin=(--command-config "$RUN/tls/kafka-client.properties"); echo "  (TLS everywhere)"
  ws=wss http=https tls=(--cacert "$RUN/tls/ca.crt") client_tls=(--ca-file "$RUN/tls/ca.crt")
fi
out="$("$JAVA" -cp "$ROOT/embedded-kafka/target/libs/*" "$HERE/KafkaReady.java" "${admin[@]}" "$bootstrap" "$brokers" 30 \
  switchboard.rooms 2> /dev/null)" || fail "Kafka check: $out"
echo "$out"
[ "$DEGRADED" = 1 ] || grep -q "replication factor 3, min.insync.replicas 2, \([0-9]*\)/\1 partitions with a full ISR" <<< "$out" \
  || fail "expected replication factor 3, min.insync.replicas 2 and full ISRs"

step "3. WebSocket upgrades through HAProxy (127.0.0.1:$LB_PORT)"
servers=()
for i in 1 2 3 4; do
  # The 101 opens a WebSocket that curl then waits on: --max-time ends it (exit 28 is expected).
  headers="$(curl -s "${tls[@]}" -i --http1.1 -m 2 -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
    -H 'Sec-WebSocket-Version: 13' -H "Sec-WebSocket-Key: $(openssl rand -base64 16)" \
    -H 'Sec-WebSocket-Protocol: switchboard.v1.json' "$http://127.0.0.1:$LB_PORT/ws" | tr -d '\r' || true)"
  status="$(head -n 1 <<< "$headers")"
  server="$(awk -F': ' 'tolower($1) == "x-switchboard-server" {print $2}' <<< "$headers")"
  proto="$(awk -F': ' 'tolower($1) == "sec-websocket-protocol" {print $2}' <<< "$headers")"
  echo "  upgrade $i: ${status:-no answer} via ${server:-?} (subprotocol ${proto:-none})"
  [[ "$status" == "HTTP/1.1 101"* ]] || fail "upgrade $i: expected 101 Switching Protocols, got '${status:-nothing}'"
  [ "$proto" = switchboard.v1.json ] || fail "upgrade $i: subprotocol not echoed"
  servers+=("$server")
done
[ "${servers[0]}" != "${servers[1]}" ] && [ "${servers[1]}" != "${servers[2]}" ] && [ "${servers[2]}" != "${servers[3]}" ] \
  || fail "expected consecutive upgrades to alternate between the gateways, got: ${servers[*]}"

step "4. publish/subscribe across gateways through HAProxy ($MESSAGES messages)"
presence=()
status="$("$HERE/cluster.sh" status 2> /dev/null || true)"  # exits 1 when a process is down (degraded drills)
if awk '$1 == "presence" && $2 ~ /^[0-9]+$/ {found = 1} END {exit !found}' <<< "$status"; then
  presence=(--presence)
  echo "  (presence runs: presence and a direct message are checked too)"
else
  echo "  (presence not running: presence and direct messages not checked)"
fi
python3 "$HERE/smoke_client.py" "${presence[@]}" "${client_tls[@]}" "$ws://127.0.0.1:$LB_PORT/ws" "$SB_HS256_SECRET" "$MESSAGES" \
  || fail "end-to-end test"

echo
echo "SMOKE PASSED"
