#!/usr/bin/env bash
# A Switchboard cluster on the loopback interface, one process per node:
#   3 Kafka KRaft nodes (broker+controller; topics RF=3, min.insync.replicas=2), 2 routers, 2 gateways,
#   the presence service (when its jar is built), the history service, and HAProxy in front of the gateways.
#
#   cluster.sh up [--tls] [--monitoring]
#                              start whatever is not running, wait until each process is healthy; --tls (on a
#                              fresh run directory) generates development certificates and runs TLS everywhere:
#                              Kafka SSL listeners (client certificates required), mutual TLS between the tiers,
#                              gateways on wss:// and HAProxy terminating wss:// (re-encrypting to the gateways);
#                              --monitoring adds a Prometheus server (Debian package) scraping every tier with
#                              deploy/monitoring's rules (remembered by the run directory until `clean`)
#   cluster.sh status          each process: pid, ports, health
#   cluster.sh down            SIGTERM everything (SIGKILL after SB_STOP_TIMEOUT); idempotent
#   cluster.sh logs NAME [-f]  last lines of a process's log (NAME as listed by status)
#   cluster.sh stop|kill|start NAME   drills: graceful stop, SIGKILL, or start of one process
#   cluster.sh drill-env       the `./switchboard drill` commands for this cluster (URL, secret, admin token, pids)
#   cluster.sh clean           down, then delete the run directory (Kafka data, history store, logs)
#
# Every port and path is overridable by environment variable (see the table printed by `cluster.sh help`).
# Builds nothing: run `./mvnw -o -q -DskipTests install` (or `./switchboard test`) first.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

# ---- settings (environment overrides) --------------------------------------------------------------------
RUN="${SB_RUN_DIR:-$HERE/.run}"
KAFKA_BROKER_BASE="${SB_KAFKA_BROKER_BASE:-19091}"        # kafka-i listens on base+i-1
KAFKA_CONTROLLER_BASE="${SB_KAFKA_CONTROLLER_BASE:-19191}"
ROUTER_GRPC_BASE="${SB_ROUTER_GRPC_BASE:-17071}"          # router-i
ROUTER_METRICS_BASE="${SB_ROUTER_METRICS_BASE:-18071}"
GATEWAY_PORT_BASE="${SB_GATEWAY_PORT_BASE:-18101}"        # gateway-i (WebSocket, /metrics, health)
HISTORY_GRPC_PORT="${SB_HISTORY_GRPC_PORT:-17080}"
HISTORY_METRICS_PORT="${SB_HISTORY_METRICS_PORT:-18080}"
PRESENCE_GRPC_PORT="${SB_PRESENCE_GRPC_PORT:-17090}"
PRESENCE_METRICS_PORT="${SB_PRESENCE_METRICS_PORT:-18090}"
LB_PORT="${SB_LB_PORT:-18000}"
LB_STATS_PORT="${SB_LB_STATS_PORT:-18001}"
PRESENCE_MODE="${SB_PRESENCE:-auto}"                      # auto (if the jar exists) | on | off
START_TIMEOUT="${SB_START_TIMEOUT:-120}"                  # seconds, per process
STOP_TIMEOUT="${SB_STOP_TIMEOUT:-30}"                     # seconds before SIGKILL
KAFKA_HEAP="${SB_KAFKA_HEAP:-384m}"
SERVICE_HEAP="${SB_SERVICE_HEAP:-256m}"
HAPROXY_BIN="${SB_HAPROXY:-haproxy}"
PROMETHEUS_PORT="${SB_PROMETHEUS_PORT:-18002}"
PROMETHEUS_BIN="${SB_PROMETHEUS:-prometheus}"
KAFKA_NODES=3; ROUTERS=2; GATEWAYS=2

ROUTER_JAR="$ROOT/router/target/switchboard-router.jar"
GATEWAY_JAR="$ROOT/gateway/target/switchboard-gateway.jar"
HISTORY_JAR="$ROOT/history-service/target/switchboard-history-service.jar"
PRESENCE_JAR="$ROOT/presence-service/target/switchboard-presence-service.jar"
KAFKA_JAR="$ROOT/embedded-kafka/target/switchboard-embedded-kafka.jar"
CERTS_JAR="$ROOT/dev-certificates/target/switchboard-dev-certificates.jar"
TLS="$RUN/tls"   # present (with its 'enabled' marker) when the cluster runs with TLS everywhere
KAFKA_LIBS="$ROOT/embedded-kafka/target/libs"
CONFIG="$HERE/config"

die() { echo "cluster: $*" >&2; exit 1; }
say() { echo "cluster: $*"; }

JAVA_HOME="$("$ROOT/bin/java-home")" || die "no JDK 21+ found (set JAVA_HOME)"
JAVA="$JAVA_HOME/bin/java"
JAVA_MAJOR="$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')"
JVM_OPTS=(--enable-native-access=ALL-UNNAMED -XX:+ExitOnOutOfMemoryError)
[ "$JAVA_MAJOR" -ge 24 ] && JVM_OPTS+=(--sun-misc-unsafe-memory-access=allow)
# G1's flags of ./switchboard run, from the one file every server JVM reads (it says why).
JVM_OPTS+=("@$ROOT/deploy/jvm/server-g1.jvm-options")
# shellcheck disable=SC2206
JVM_OPTS+=(${SB_JVM_OPTS:-})

bootstrap() {
  local i out=()
  for ((i = 1; i <= KAFKA_NODES; i++)); do out+=("127.0.0.1:$((KAFKA_BROKER_BASE + i - 1))"); done
  (IFS=,; echo "${out[*]}")
}
presence_enabled() {
  case "$PRESENCE_MODE" in
    on) [ -f "$PRESENCE_JAR" ] || die "SB_PRESENCE=on but $PRESENCE_JAR is missing (build presence-service)"; return 0 ;;
    off) return 1 ;;
    auto) [ -f "$PRESENCE_JAR" ] ;;
    *) die "SB_PRESENCE: $PRESENCE_MODE (expected: auto, on or off)" ;;
  esac
}

# Every process, in start order (down stops them in reverse).
names() {
  local i
  for ((i = 1; i <= KAFKA_NODES; i++)); do echo "kafka-$i"; done
  echo presence
  for ((i = 1; i <= ROUTERS; i++)); do echo "router-$i"; done
  echo history
  for ((i = 1; i <= GATEWAYS; i++)); do echo "gateway-$i"; done
  echo haproxy
  monitoring_on && echo prometheus
  return 0
}
known() { names | grep -qx -- "$1" || die "unknown process '$1' (expected one of: $(names | tr '\n' ' '))"; }

# ---- process bookkeeping: $RUN/<name>/{pid,marker,ports,health,out.log} -------------------------------------
# A pid file alone could name a recycled pid: a process counts as ours only if its command line holds its marker.
marker_of() { echo "switchboard.cluster.proc=$1@$RUN"; }
pid_of() {
  local name="$1" pid
  [ -f "$RUN/$name/pid" ] || return 1
  pid="$(cat "$RUN/$name/pid")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$(marker_of "$name")" || return 1
  echo "$pid"
}
running() { pid_of "$1" > /dev/null; }

# health NAME -> prints up/down/ready/not-ready and returns 0 when healthy.
health() {
  local name="$1" url port
  url="$(cat "$RUN/$name/health" 2>/dev/null || true)"
  case "$url" in
    tcp:*) port="${url#tcp:}"
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "listening"; return 0; fi
      echo "not listening"; return 1 ;;
    http*) local code tls=()
      [[ "$url" == https:* ]] && tls=(--cacert "$TLS/ca.crt")  # a gateway of an `up --tls` cluster
      code="$(curl -s "${tls[@]}" -o /dev/null -m 2 -w '%{http_code}' "$url" || true)"
      if [ "$code" = 200 ]; then echo "ready"; return 0; fi
      echo "not ready (HTTP ${code:-none})"; return 1 ;;
    haproxy:*) # HAProxy answers and its last check of every gateway passed (else it would route nowhere).
      local csv up total
      csv="$(curl -s -m 2 "http://127.0.0.1:${url#haproxy:}/stats;csv" || true)"
      [ -n "$csv" ] || { echo "not answering"; return 1; }
      total="$(awk -F, '$1 == "gateways" && $2 != "BACKEND"' <<< "$csv" | wc -l)"
      up="$(awk -F, '$1 == "gateways" && $2 != "BACKEND" && $18 ~ /^UP/ && $37 == "L7OK"' <<< "$csv" | wc -l)"
      if [ "$total" -gt 0 ] && [ "$up" -eq "$total" ]; then echo "ready ($up/$total gateways UP)"; return 0; fi
      echo "not ready ($up/$total gateways UP)"; return 1 ;;
    *) echo "unknown"; return 1 ;;
  esac
}

tail_log() { echo "--- last 30 lines of $RUN/$1/out.log ---" >&2; tail -n 30 "$RUN/$1/out.log" >&2 || true; }

# spawn NAME PORTS HEALTH CMD...: starts CMD in its own session with the marker, records pid, ports and health.
spawn() {
  local name="$1" ports="$2" check="$3"; shift 3
  local dir="$RUN/$name"
  mkdir -p "$dir"
  echo "$ports" > "$dir/ports"; echo "$check" > "$dir/health"
  printf '=== %s starting %s\n' "$(date -Is)" "$name" >> "$dir/out.log"
  # The subshell's pid becomes the process's pid: exec setsid (no fork: a background subshell of a script is
  # not a process-group leader) then exec of the command itself.
  ( cd "$dir" && exec setsid "$@" >> "$dir/out.log" 2>&1 < /dev/null ) &
  local pid=$! i
  echo "$pid" > "$dir/pid"
  # Until the subshell has exec'd the command, /proc/PID/cmdline is bash's, without the marker, and the process
  # would not count as ours: wait (bounded) for the exec, so that await does not take it for an early exit.
  for ((i = 0; i < 100; i++)); do
    running "$name" && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  say "started $name (pid $pid, $ports)"
}

# await NAME: bounded wait until healthy; fails fast when the process exits.
await() {
  local name="$1" deadline=$((SECONDS + START_TIMEOUT)) state
  while :; do
    if ! running "$name"; then tail_log "$name"; die "$name exited during start (log: $RUN/$name/out.log)"; fi
    if state="$(health "$name")"; then say "$name is $state"; return 0; fi
    if ((SECONDS >= deadline)); then
      tail_log "$name"; die "$name not healthy after ${START_TIMEOUT}s: $state (log: $RUN/$name/out.log)"
    fi
    sleep 1
  done
}

java_tier() { # NAME PORTS HEALTH JAR CONFIG [ENV=VALUE...]
  local name="$1" ports="$2" check="$3" jar="$4" cfg="$5"; shift 5
  [ -f "$jar" ] || die "$jar is missing: build it first (./mvnw -o -q -DskipTests install)"
  spawn "$name" "$ports" "$check" env "$@" \
    "$JAVA" "${JVM_OPTS[@]}" "-Xmx$SERVICE_HEAP" "-D$(marker_of "$name")" -jar "$jar" --config "$cfg"
}

# ---- Kafka: server.properties, storage format, one KafkaNodeMain JVM per node --------------------------------
kafka_props() {
  local i="$1" dir="$RUN/kafka-$1" voters="" j
  for ((j = 1; j <= KAFKA_NODES; j++)); do voters+="${voters:+,}$j@127.0.0.1:$((KAFKA_CONTROLLER_BASE + j - 1))"; done
  local listener=PLAINTEXT
  tls_on && listener=SSL
  mkdir -p "$dir/data"
  cat > "$dir/server.properties" <<EOF
# Generated by deploy/local-cluster/cluster.sh
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
controller.listener.names=CONTROLLER
inter.broker.listener.name=$listener
listener.security.protocol.map=$listener:$listener,CONTROLLER:$listener
listeners=$listener://127.0.0.1:$((KAFKA_BROKER_BASE + i - 1)),CONTROLLER://127.0.0.1:$((KAFKA_CONTROLLER_BASE + i - 1))
advertised.listeners=$listener://127.0.0.1:$((KAFKA_BROKER_BASE + i - 1))
log.dirs=$dir/data
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10
share.coordinator.state.topic.num.partitions=10
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
unclean.leader.election.enable=false
broker.session.timeout.ms=3000
broker.heartbeat.interval.ms=500
num.network.threads=2
num.io.threads=4
background.threads=4
num.recovery.threads.per.data.dir=1
log.cleaner.dedupe.buffer.size=16777216
EOF
  if tls_on; then
    # Every listener (clients, brokers, controllers) speaks TLS and wants a certificate of the cluster's CA. Kafka
    # reads an unencrypted PEM key only inline: the PEM text is the value (newlines escaped for the file).
    cat >> "$dir/server.properties" <<EOF
ssl.client.auth=required
ssl.keystore.type=PEM
ssl.keystore.certificate.chain=$(pem_inline "$TLS/kafka.crt")
ssl.keystore.key=$(pem_inline "$TLS/kafka.key")
ssl.truststore.type=PEM
ssl.truststore.location=$TLS/ca.crt
EOF
  fi
}

kafka_cp() { echo "$KAFKA_JAR:$KAFKA_LIBS/*"; }

kafka_format() {
  local i="$1" dir="$RUN/kafka-$1" id
  [ -f "$dir/data/meta.properties" ] && return 0
  [ -f "$RUN/kafka-cluster-id" ] || python3 -c 'import base64,uuid;print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))' > "$RUN/kafka-cluster-id"
  id="$(cat "$RUN/kafka-cluster-id")"
  "$JAVA" "${JVM_OPTS[@]}" -cp "$(kafka_cp)" kafka.tools.StorageTool format --cluster-id "$id" \
      --config "$dir/server.properties" --ignore-formatted >> "$dir/out.log" 2>&1 \
    || { tail_log "kafka-$i"; die "formatting kafka-$i's storage failed"; }
}

start_kafka() {
  local i="$1" port=$((KAFKA_BROKER_BASE + $1 - 1))
  [ -f "$KAFKA_JAR" ] || die "$KAFKA_JAR is missing: build embedded-kafka first"
  kafka_props "$i"; kafka_format "$i"
  spawn "kafka-$i" "broker $port, controller $((KAFKA_CONTROLLER_BASE + i - 1))" "tcp:$port" \
    "$JAVA" "${JVM_OPTS[@]}" "-Xmx$KAFKA_HEAP" "-D$(marker_of "kafka-$i")" \
    "-Djava.util.logging.SimpleFormatter.format=%1\$tF %1\$tT.%1\$tL %4\$s %3\$s - %5\$s%6\$s%n" \
    -cp "$(kafka_cp)" io.switchboard.kafka.embedded.KafkaNodeMain --config "$RUN/kafka-$i/server.properties"
}

kafka_ready() {
  say "waiting for $KAFKA_NODES registered brokers and a controller"
  local admin=()
  tls_on && admin=(--command-config "$TLS/kafka-client.properties")
  "$JAVA" -cp "$KAFKA_LIBS/*" "$HERE/KafkaReady.java" "${admin[@]}" "$(bootstrap)" "$KAFKA_NODES" "$START_TIMEOUT" \
      2>> "$RUN/kafka-ready.log" \
    || { for ((j = 1; j <= KAFKA_NODES; j++)); do tail_log "kafka-$j"; done; die "Kafka did not become ready"; }
}

# ---- monitoring (up --monitoring): Prometheus with deploy/monitoring's rules and this cluster's ports ----------
monitoring_on() { [ -f "$RUN/monitoring" ]; }

# The scrape config of deploy/monitoring with this cluster's ports (they are overridable), beside the rules.
prometheus_config() {
  local dir="$RUN/prometheus" src="$ROOT/deploy/monitoring"
  mkdir -p "$dir"
  cp "$src/alerts.yml" "$dir/alerts.yml"
  sed -e "s/127.0.0.1:18101/127.0.0.1:$GATEWAY_PORT_BASE/" -e "s/127.0.0.1:18102/127.0.0.1:$((GATEWAY_PORT_BASE + 1))/" \
      -e "s/127.0.0.1:18071/127.0.0.1:$ROUTER_METRICS_BASE/" -e "s/127.0.0.1:18072/127.0.0.1:$((ROUTER_METRICS_BASE + 1))/" \
      -e "s/127.0.0.1:18080/127.0.0.1:$HISTORY_METRICS_PORT/" -e "s/127.0.0.1:18090/127.0.0.1:$PRESENCE_METRICS_PORT/" \
      "$src/prometheus.yml" > "$dir/prometheus.yml"
}

# ---- TLS everywhere (up --tls) ------------------------------------------------------------------------------
tls_on() { [ -f "$TLS/enabled" ]; }
# PEM text on one line with literal \n: a properties value (Kafka's server.properties, client.properties).
pem_inline() { awk '{printf "%s\\n", $0}' "$1"; }

# Development certificates of one throw-away CA: a leaf per party (server and client use, SANs localhost and
# 127.0.0.1), each tier presenting its own; kafka-client is every tier's Kafka client identity.
tls_generate() {
  [ -f "$CERTS_JAR" ] || die "$CERTS_JAR is missing: build it first (./mvnw -o -q -DskipTests install)"
  mkdir -p "$TLS"
  "$JAVA" -jar "$CERTS_JAR" --out "$TLS" kafka kafka-client router presence history gateway lb > "$TLS/generated.txt" \
    || die "generating certificates failed"
  # Kafka's tools and KafkaReady: the same client identity as the tiers.
  ( umask 077; cat > "$TLS/kafka-client.properties" <<EOF
security.protocol=SSL
ssl.truststore.type=PEM
ssl.truststore.location=$TLS/ca.crt
ssl.keystore.type=PEM
ssl.keystore.certificate.chain=$(pem_inline "$TLS/kafka-client.crt")
ssl.keystore.key=$(pem_inline "$TLS/kafka-client.key")
EOF
  )
  # HAProxy's wss:// certificate: one file holding the certificate chain and its key.
  ( umask 077; cat "$TLS/lb.crt" "$TLS/lb.key" > "$TLS/lb.pem" )
  touch "$TLS/enabled"
  say "TLS everywhere: certificates in $TLS"
}

# tls_env TIER: fills TIER_ENV with the tier's TLS settings (KEY=VALUE), empty without TLS. Keys as environment
# variables: dots become _, dashes _dash_ (docs/tls.md lists the keys).
tls_env() {
  TIER_ENV=()
  tls_on || return 0
  local tier="$1" upper kafka
  upper="$(tr '[:lower:]' '[:upper:]' <<< "$tier")"
  case "$tier" in
    router|presence|history) # the tier's gRPC port: client certificates required (client-auth's default)
      TIER_ENV+=("${upper}_GRPC_TLS_CERTIFICATE=$TLS/$tier.crt" "${upper}_GRPC_TLS_PRIVATE_dash_KEY=$TLS/$tier.key"
        "${upper}_GRPC_TLS_TRUST_dash_CERTIFICATES=$TLS/ca.crt") ;;
  esac
  case "$tier" in
    router|gateway) # its channels to the other tiers, presenting its own certificate
      TIER_ENV+=("${upper}_GRPC_dash_CLIENT_TLS_ENABLED=true"
        "${upper}_GRPC_dash_CLIENT_TLS_TRUST_dash_CERTIFICATES=$TLS/ca.crt"
        "${upper}_GRPC_dash_CLIENT_TLS_CERTIFICATE=$TLS/$tier.crt"
        "${upper}_GRPC_dash_CLIENT_TLS_PRIVATE_dash_KEY=$TLS/$tier.key") ;;
  esac
  # The gateways serve wss:// (and https:// for health, metrics and admin) on their one port (docs/ops/tls.md).
  [ "$tier" = gateway ] && TIER_ENV+=("GATEWAY_TLS_CERTIFICATE=$TLS/gateway.crt"
    "GATEWAY_TLS_PRIVATE_dash_KEY=$TLS/gateway.key")
  # Kafka clients: the router and presence set theirs under kafka.producer.*, the gateway and history under
  # kafka.consumer.*; each tier's admin and side clients take the security settings from there.
  case "$tier" in router|presence) kafka=KAFKA_PRODUCER ;; *) kafka=KAFKA_CONSUMER ;; esac
  TIER_ENV+=("${kafka}_SECURITY_PROTOCOL=SSL" "${kafka}_SSL_TRUSTSTORE_TYPE=PEM"
    "${kafka}_SSL_TRUSTSTORE_LOCATION=$TLS/ca.crt" "${kafka}_SSL_KEYSTORE_TYPE=PEM"
    "${kafka}_SSL_KEYSTORE_CERTIFICATE_CHAIN=$(cat "$TLS/kafka-client.crt")"
    "${kafka}_SSL_KEYSTORE_KEY=$(cat "$TLS/kafka-client.key")")
}

# ---- the tiers ---------------------------------------------------------------------------------------------
secrets() {
  mkdir -p "$RUN"
  if [ ! -f "$RUN/secrets.env" ]; then
    ( umask 077
      echo "SB_HS256_SECRET=${SB_HS256_SECRET:-$(openssl rand -hex 32)}"
      echo "SB_ADMIN_TOKEN=${SB_ADMIN_TOKEN:-$(openssl rand -hex 24)}" ) > "$RUN/secrets.env"
  fi
  # shellcheck disable=SC1091
  . "$RUN/secrets.env"
}

start_one() {
  local name="$1" i
  case "$name" in
    kafka-*) start_kafka "${name#kafka-}" ;;
    presence)
      if ! presence_enabled; then say "presence skipped (SB_PRESENCE=$PRESENCE_MODE, jar: $PRESENCE_JAR)"; return 0; fi
      tls_env presence
      java_tier presence "grpc $PRESENCE_GRPC_PORT, metrics $PRESENCE_METRICS_PORT" \
        "http://127.0.0.1:$PRESENCE_METRICS_PORT/health/ready" "$PRESENCE_JAR" "$CONFIG/presence.yaml" \
        PRESENCE_ID=presence-1 PRESENCE_GRPC_PORT="$PRESENCE_GRPC_PORT" PRESENCE_METRICS_PORT="$PRESENCE_METRICS_PORT" \
        KAFKA_BOOTSTRAP_dash_SERVERS="$(bootstrap)" "${TIER_ENV[@]}" ;;
    router-*) i="${name#router-}"
      local extra=(ROUTER_HISTORY_ADDRESS="127.0.0.1:$HISTORY_GRPC_PORT")
      presence_enabled && extra+=(ROUTER_PRESENCE_ADDRESS="127.0.0.1:$PRESENCE_GRPC_PORT")
      tls_env router; extra+=("${TIER_ENV[@]}")
      java_tier "$name" "grpc $((ROUTER_GRPC_BASE + i - 1)), metrics $((ROUTER_METRICS_BASE + i - 1))" \
        "http://127.0.0.1:$((ROUTER_METRICS_BASE + i - 1))/health/ready" "$ROUTER_JAR" "$CONFIG/router.yaml" \
        ROUTER_ID="$name" ROUTER_GRPC_PORT=$((ROUTER_GRPC_BASE + i - 1)) \
        ROUTER_METRICS_PORT=$((ROUTER_METRICS_BASE + i - 1)) KAFKA_BOOTSTRAP_dash_SERVERS="$(bootstrap)" "${extra[@]}" ;;
    history)
      tls_env history
      java_tier history "grpc $HISTORY_GRPC_PORT, metrics $HISTORY_METRICS_PORT" \
        "http://127.0.0.1:$HISTORY_METRICS_PORT/health/ready" "$HISTORY_JAR" "$CONFIG/history.yaml" \
        HISTORY_ID=history-1 HISTORY_GRPC_PORT="$HISTORY_GRPC_PORT" HISTORY_METRICS_PORT="$HISTORY_METRICS_PORT" \
        HISTORY_DATA_dash_DIR="$RUN/history/data" KAFKA_BOOTSTRAP_dash_SERVERS="$(bootstrap)" "${TIER_ENV[@]}" ;;
    gateway-*) i="${name#gateway-}"; secrets
      local port=$((GATEWAY_PORT_BASE + i - 1)) extra=()
      presence_enabled && extra+=(GATEWAY_PRESENCE_ADDRESS="127.0.0.1:$PRESENCE_GRPC_PORT")
      tls_env gateway; extra+=("${TIER_ENV[@]}")
      local scheme=http; tls_on && scheme=https
      java_tier "$name" "ws/http $port" "$scheme://127.0.0.1:$port/observe/health/ready" "$GATEWAY_JAR" \
        "$CONFIG/gateway.yaml" GATEWAY_ID="$name" GATEWAY_PORT="$port" GATEWAY_ROUTERS_0="127.0.0.1:$ROUTER_GRPC_BASE" \
        GATEWAY_ROUTERS_1="127.0.0.1:$((ROUTER_GRPC_BASE + 1))" \
        GATEWAY_HISTORY_ADDRESS="127.0.0.1:$HISTORY_GRPC_PORT" GATEWAY_AUTH_HS256_dash_SECRET="$SB_HS256_SECRET" \
        GATEWAY_ADMIN_TOKEN="$SB_ADMIN_TOKEN" KAFKA_BOOTSTRAP_dash_SERVERS="$(bootstrap)" "${extra[@]}" ;;
    haproxy)
      command -v "$HAPROXY_BIN" > /dev/null || die "haproxy not found (apt-get install -y haproxy)"
      local cfg="$ROOT/deploy/haproxy/haproxy.cfg"
      local lbenv=(SB_LB_BIND=127.0.0.1 SB_LB_PORT="$LB_PORT" SB_LB_STATS_PORT="$LB_STATS_PORT"
        SB_GATEWAY_1="127.0.0.1:$GATEWAY_PORT_BASE" SB_GATEWAY_2="127.0.0.1:$((GATEWAY_PORT_BASE + 1))")
      # TLS everywhere: wss:// terminated here, and re-encrypted to the gateways (their certificate checked).
      tls_on && lbenv+=(SB_LB_TLS_PEM="$TLS/lb.pem" SB_GATEWAY_CA="$TLS/ca.crt")
      env "${lbenv[@]}" "$HAPROXY_BIN" -q -c -f "$cfg" > /dev/null || die "haproxy -c -f $cfg failed"
      # -db: foreground, so the recorded pid is HAProxy's; the -L peer name carries the marker.
      spawn haproxy "frontend $LB_PORT, stats $LB_STATS_PORT" "haproxy:$LB_STATS_PORT" \
        env "${lbenv[@]}" "$HAPROXY_BIN" -db -f "$cfg" -L "$(marker_of haproxy)" ;;
    prometheus)
      command -v "$PROMETHEUS_BIN" > /dev/null || die "prometheus not found (apt-get install -y prometheus)"
      prometheus_config
      # The page title carries the marker (Prometheus has no free-form argument for it).
      spawn prometheus "http $PROMETHEUS_PORT" "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" \
        "$PROMETHEUS_BIN" --config.file="$RUN/prometheus/prometheus.yml" --storage.tsdb.path="$RUN/prometheus/data" \
        --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --web.page-title="$(marker_of prometheus)" ;;
  esac
}

# ---- commands ----------------------------------------------------------------------------------------------
cmd_up() {
  local want_tls=0 want_monitoring=0 opt
  for opt in "$@"; do
    case "$opt" in
      --tls) want_tls=1 ;;
      --monitoring) want_monitoring=1 ;;
      *) die "up: unknown option '$opt' (expected: --tls, --monitoring)" ;;
    esac
  done
  if [ "$want_tls" = 1 ] && ! tls_on; then
    [ -d "$RUN/kafka-1/data" ] && die "up --tls: $RUN holds a cluster without TLS (cluster.sh clean first)"
    tls_generate
  elif [ "$want_tls" = 0 ] && tls_on; then
    say "this run directory's cluster runs with TLS everywhere (certificates in $TLS)"
  fi
  mkdir -p "$RUN"
  if [ "$want_monitoring" = 1 ]; then
    # The scrape config speaks plain HTTP; a TLS cluster's gateways and metrics ports need client certificates.
    tls_on && die "up --monitoring: not with a TLS cluster (its metrics need client certificates); see docs/ops/alerts.md"
    command -v "$PROMETHEUS_BIN" > /dev/null || die "up --monitoring: prometheus not found (apt-get install -y prometheus)"
    touch "$RUN/monitoring"
  fi
  secrets
  local i name
  for ((i = 1; i <= KAFKA_NODES; i++)); do running "kafka-$i" || start_one "kafka-$i"; done
  for ((i = 1; i <= KAFKA_NODES; i++)); do await "kafka-$i"; done
  kafka_ready
  # Presence creates its topic; the routers create the rooms, ephemeral and control topics; history and the
  # gateways wait for the rooms topic; HAProxy last so that it never routes to a gateway that is not up.
  for name in presence router-1 router-2 history gateway-1 gateway-2 haproxy $(monitoring_on && echo prometheus); do
    if [ "$name" = presence ] && ! presence_enabled; then start_one presence; continue; fi
    if running "$name"; then say "$name already running (pid $(pid_of "$name"))"; else start_one "$name"; fi
    # The second router/gateway starts while the first warms up; each is awaited before the next tier.
    case "$name" in router-1|gateway-1) continue ;; esac
    case "$name" in router-2) await router-1 ;; gateway-2) await gateway-1 ;; esac
    await "$name"
  done
  echo
  cmd_status
  echo
  local ws=ws; tls_on && ws=wss
  say "clients: $ws://127.0.0.1:$LB_PORT/ws (subprotocol switchboard.v1.json or switchboard.v1.proto)"
  say "HS256 token secret (local use only): $SB_HS256_SECRET"
  say "gateway admin token (POST /admin/drain): $SB_ADMIN_TOKEN   [both in $RUN/secrets.env]"
  say "smoke test: deploy/local-cluster/smoke.sh; drill commands: deploy/local-cluster/cluster.sh drill-env"
  if monitoring_on; then
    say "Prometheus: http://127.0.0.1:$PROMETHEUS_PORT (the Debian package serves the classic UI: /classic/alerts, /classic/targets, /classic/graph); config $RUN/prometheus/prometheus.yml"
  fi
  if tls_on; then
    say "TLS: CA $TLS/ca.crt (clients trust it for wss://), Kafka client settings $TLS/kafka-client.properties; gRPC callers need a certificate of that CA"
  fi
}

cmd_status() {
  local name pid state ports all=0
  printf '%-10s %-8s %-38s %s\n' PROCESS PID PORTS HEALTH
  while read -r name; do
    ports="$(cat "$RUN/$name/ports" 2>/dev/null || echo -)"
    if pid="$(pid_of "$name")"; then
      state="$(health "$name")" || all=1
    elif [ "$name" = presence ] && ! presence_enabled; then
      pid=-; state="not part of this cluster (SB_PRESENCE=$PRESENCE_MODE; jar missing?)"
    else
      pid=-; state="stopped"; all=1
    fi
    printf '%-10s %-8s %-38s %s\n' "$name" "$pid" "$ports" "$state"
  done < <(names)
  return $all
}

# stop_many SIGNAL NAME...: signal them all at once, then wait (bounded) and SIGKILL what is left.
stop_many() {
  local sig="$1"; shift
  local name pid pids=() left deadline=$((SECONDS + STOP_TIMEOUT))
  for name in "$@"; do
    if pid="$(pid_of "$name")"; then kill "-$sig" "$pid" 2> /dev/null || true; pids+=("$name:$pid"); fi
  done
  [ ${#pids[@]} -eq 0 ] && return 0
  say "sent SIG$sig to ${pids[*]}"
  while :; do
    left=()
    for name in "${pids[@]}"; do kill -0 "${name#*:}" 2> /dev/null && left+=("$name"); done
    [ ${#left[@]} -eq 0 ] && break
    if ((SECONDS >= deadline)); then
      say "still running after ${STOP_TIMEOUT}s, SIGKILL: ${left[*]}"
      for name in "${left[@]}"; do kill -KILL "${name#*:}" 2> /dev/null || true; done
      sleep 1; break
    fi
    sleep 0.5
  done
  for name in "${pids[@]}"; do rm -f "$RUN/${name%%:*}/pid"; done
}

cmd_down() {
  [ -d "$RUN" ] || { say "nothing to stop ($RUN does not exist)"; return 0; }
  # Front to back, so that no tier loses its dependency while it still serves: HAProxy, gateways (they drain),
  # history and routers, presence, then the three brokers together (a broker stopped alone waits for the quorum).
  stop_many TERM prometheus haproxy
  stop_many TERM gateway-1 gateway-2
  stop_many TERM router-1 router-2 history presence
  stop_many TERM kafka-1 kafka-2 kafka-3
  say "stopped (data and logs kept in $RUN; 'cluster.sh clean' deletes them)"
}

# The drill commands with this cluster's values (docs/ops/*.md). Lines are shell: eval-able variables, then
# one command per drill target; pids only for running processes.
cmd_drill_env() {
  [ -f "$RUN/secrets.env" ] || die "not started ($RUN/secrets.env does not exist)"
  secrets
  local name pid i common='--url "$SB_DRILL_URL" --secret "$SB_DRILL_SECRET"' ws=ws http=http
  if tls_on; then ws=wss; http=https; common+=" --ca-file $TLS/ca.crt"; fi
  echo "export SB_DRILL_URL=$ws://127.0.0.1:$LB_PORT/ws"
  echo "export SB_DRILL_SECRET=$SB_HS256_SECRET"
  echo "export SB_DRILL_ADMIN_TOKEN=$SB_ADMIN_TOKEN"
  echo "# drain a gateway (restart it afterwards: cluster.sh stop gateway-N; cluster.sh start gateway-N)"
  for ((i = 1; i <= GATEWAYS; i++)); do
    echo "./switchboard drill drain $common --gateway $http://127.0.0.1:$((GATEWAY_PORT_BASE + i - 1)) --admin-token \"\$SB_DRILL_ADMIN_TOKEN\""
  done
  echo "# signal a process (--signal KILL|TERM|STOP, --pause PT5S with STOP; then cluster.sh start NAME after KILL/TERM)"
  while read -r name; do
    case "$name" in haproxy|prometheus) continue ;; esac
    pid="$(pid_of "$name")" || continue
    echo "./switchboard drill signal $common --pid $pid --name $name --signal KILL"
  done < <(names)
}

usage() {
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
  cat <<EOF

Environment (defaults):
  SB_RUN_DIR=$HERE/.run        SB_START_TIMEOUT=120  SB_STOP_TIMEOUT=30
  SB_KAFKA_BROKER_BASE=19091   SB_KAFKA_CONTROLLER_BASE=19191   (node i: base+i-1)
  SB_ROUTER_GRPC_BASE=17071    SB_ROUTER_METRICS_BASE=18071     SB_GATEWAY_PORT_BASE=18101
  SB_HISTORY_GRPC_PORT=17080   SB_HISTORY_METRICS_PORT=18080
  SB_PRESENCE_GRPC_PORT=17090  SB_PRESENCE_METRICS_PORT=18090   SB_PRESENCE=auto|on|off
  SB_LB_PORT=18000             SB_LB_STATS_PORT=18001           SB_HAPROXY=haproxy
  SB_PROMETHEUS_PORT=18002     SB_PROMETHEUS=prometheus         (up --monitoring)
  SB_KAFKA_HEAP=384m  SB_SERVICE_HEAP=256m  SB_JVM_OPTS=  SB_HS256_SECRET=<random>  SB_ADMIN_TOKEN=<random>
EOF
}

cmd="${1:-help}"; shift || true
case "$cmd" in
  up) cmd_up "$@" ;;
  status) [ -d "$RUN" ] || { say "not started ($RUN does not exist)"; exit 3; }; cmd_status ;;
  down) cmd_down ;;
  logs) [ $# -ge 1 ] || die "usage: cluster.sh logs NAME [-f]"; known "$1"
    [ -f "$RUN/$1/out.log" ] || die "no log for $1 at $RUN/$1/out.log"
    if [ "${2:-}" = -f ]; then exec tail -n 100 -f "$RUN/$1/out.log"; else tail -n 100 "$RUN/$1/out.log"; fi ;;
  stop) [ $# -eq 1 ] || die "usage: cluster.sh stop NAME"; known "$1"; stop_many TERM "$1" ;;
  kill) [ $# -eq 1 ] || die "usage: cluster.sh kill NAME"; known "$1"
    pid="$(pid_of "$1")" || die "$1 is not running"; kill -KILL "$pid"; rm -f "$RUN/$1/pid"; say "SIGKILLed $1 (pid $pid)" ;;
  start) [ $# -eq 1 ] || die "usage: cluster.sh start NAME"; known "$1"
    running "$1" && die "$1 is already running (pid $(pid_of "$1"))"
    mkdir -p "$RUN"; secrets; start_one "$1"
    if [ "$1" != presence ] || presence_enabled; then await "$1"; fi ;;
  clean) cmd_down; rm -rf "$RUN"; say "deleted $RUN" ;;
  drill-env) cmd_drill_env ;;
  help|-h|--help) usage ;;
  *) usage >&2; exit 2 ;;
esac
