package io.switchboard.gateway;

import static io.switchboard.service.config.ValueType.BOOLEAN;
import static io.switchboard.service.config.ValueType.BYTES;
import static io.switchboard.service.config.ValueType.BYTES_LONG;
import static io.switchboard.service.config.ValueType.DURATION;
import static io.switchboard.service.config.ValueType.FLOAT;
import static io.switchboard.service.config.ValueType.HOST_PORT;
import static io.switchboard.service.config.ValueType.INT;
import static io.switchboard.service.config.ValueType.STRING;

import io.switchboard.gateway.authz.AuthzKeys;
import io.switchboard.gateway.tls.TlsKeys;
import io.switchboard.gateway.limits.LimitKeys;
import io.switchboard.gateway.session.ConflationKeys;
import io.switchboard.gateway.sse.SseKeys;
import io.switchboard.gateway.warmup.WarmUpKeys;
import io.switchboard.gateway.ws.ProtocolKeys;
import io.switchboard.gateway.ws.deflate.CompressionKeys;
import io.switchboard.gateway.ws.netty.NettyKeys;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.TokenKeys;
import io.switchboard.service.config.Check;
import io.switchboard.service.telemetry.TelemetryKeys;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeyCatalogue;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.config.Rule;
import io.switchboard.service.config.ValueType;
import io.switchboard.service.tls.ClientTlsKeys;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Every {@code gateway.*} key, defined once with its type, default, rule and description, and the gateway's
 * {@link #CATALOGUE}: these keys, the room authorization keys ({@link AuthzKeys}), the TLS keys ({@link TlsKeys}) and
 * the shared {@code kafka.*}
 * keys the gateway reads. The reader, the builder and the gateway table of {@code docs/configuration.md} come from
 * here. Stateless, hence thread-safe.
 */
public final class GatewayKeys {
    private static final KeySection.Builder S = KeySection.builder("Gateway (`gateway.*`)");

    public static final Key<String> HOST = S.define("gateway.host", STRING).byDefault("0.0.0.0")
            .doc("Interface to bind. WebSocket, `/metrics` and `/observe/health/*` share one port (TLS on all of"
                    + " them when `gateway.tls.certificate` is set).");
    public static final Key<Integer> PORT = S.define("gateway.port", INT).byDefault(8080).check(Check.port())
            .doc("Port to bind; `0` picks a free port.");
    public static final Key<String> ID = S.define("gateway.id", STRING).unsetMeans("`<hostname>-<port>`")
            .doc("Identifies this gateway in `Connected.gateway_id`, envelopes (`sender.gateway_id`) and logs."
                    + " `$HOSTNAME` is preferred over the resolved host name.");
    public static final Key<String> WS_PATH = S.define("gateway.ws-path", STRING).byDefault("/ws")
            .check(Check.of(p -> p.startsWith("/"), "starts with '/'"))
            .doc("HTTP path of the WebSocket endpoint.");
    public static final Key<List<String>> ROUTERS = S.define("gateway.routers", ValueType.listOf(HOST_PORT))
            .byDefault(List.of("127.0.0.1:7070"))
            .check(Check.<List<String>>of(l -> !l.isEmpty(), "at least one host:port")
                    .and(Check.of(l -> new HashSet<>(l).size() == l.size(), "no duplicates")))
            .doc("Static router list as `host:port` (see **Lists** above for the environment forms). Each call goes"
                    + " to the first router of the rendezvous ranking of its key (the room, or `user:<id>` for"
                    + " direct messages) whose circuit breaker permits it. Every gateway must spell a router the"
                    + " same way (the spelling is its identity in the hashing). Ignored when `gateway.router-dns` is"
                    + " set.");
    public static final Key<String> ROUTER_DNS = S.define("gateway.router-dns", HOST_PORT)
            .doc("A `host:port` name resolved to all its A/AAAA records, one router per address (e.g. a Kubernetes"
                    + " headless Service `switchboard-router-headless:7070`). When set it replaces"
                    + " `gateway.routers`. A failed or empty lookup keeps the last known routers.");
    public static final Key<Duration> ROUTER_DNS_REFRESH = S.define("gateway.router-dns-refresh", DURATION)
            .byDefault(Duration.ofSeconds(10)).check(Check.positive())
            .doc("How often the name is resolved again. The JVM's own DNS cache (`networkaddress.cache.ttl`, 30 s"
                    + " by default) also bounds how fast changes are seen; lower it (e.g."
                    + " `-Dsun.net.inetaddr.ttl=5`) with discovery.");
    public static final Key<Duration> CONNECT_TIMEOUT = S.define("gateway.connect-timeout", DURATION)
            .byDefault(Duration.ofSeconds(10)).check(Check.positive())
            .doc("Time allowed between the upgrade and the Connect frame; then close 3003 CONNECT_TIMEOUT.");
    public static final Key<Duration> PUBLISH_TIMEOUT = S.define("gateway.publish-timeout", DURATION)
            .byDefault(Duration.ofSeconds(10)).check(Check.positive())
            .doc("gRPC deadline of a publish to its router; then Error TIMEOUT (retriable).");
    public static final Key<Duration> CLOSE_TIMEOUT = S.define("gateway.close-timeout", DURATION)
            .byDefault(Duration.ofSeconds(5)).check(Check.positive())
            .doc("Time a connection may take to complete a close (including a write blocked on a client that does"
                    + " not read) before the gateway aborts the TCP connection.");
    public static final Key<Duration> IDLE_TIMEOUT = S.define("gateway.idle-timeout", DURATION)
            .byDefault(Duration.ofMinutes(5)).check(Check.positive())
            .doc("Connections that send nothing (not even a Ping) for this long are closed by the web server."
                    + " Clients should ping more often.");
    public static final Key<Duration> DRAIN_TIMEOUT = S.define("gateway.drain-timeout", DURATION)
            .byDefault(Duration.ofSeconds(15)).check(Check.nonNegative())
            .doc("Budget of a drain (SIGTERM, `POST /admin/drain`, `GatewayServer.close()`, the launcher's"
                    + " stop). Connections are drained in paced batches; whatever is still open at 80 % of it is"
                    + " closed at once, the rest is for the close handshakes. Size it so `connections / batch-size *"
                    + " batch-interval` fits in 80 % (defaults: 2,400 connections in 12 s) and keep it below the"
                    + " orchestrator's kill grace period (Kubernetes `terminationGracePeriodSeconds`, 30 s by"
                    + " default).");
    public static final Key<Integer> DRAIN_BATCH_SIZE = S.define("gateway.drain.batch-size", INT)
            .byDefault(100).check(Check.atLeast(1))
            .doc("Connections per drain batch: each gets a `Drain` frame, then close 3000 once its in-flight"
                    + " publishes were answered.");
    public static final Key<Duration> DRAIN_BATCH_INTERVAL = S.define("gateway.drain.batch-interval", DURATION)
            .byDefault(Duration.ofMillis(500)).check(Check.positive())
            .doc("Time between drain batches (200 connections/s at the defaults: the reconnect rate the other"
                    + " gateways see).");
    public static final Key<Duration> DRAIN_RECONNECT_WINDOW = S.define("gateway.drain.reconnect-window", DURATION)
            .byDefault(Duration.ofSeconds(5)).check(Check.positiveAtMost(Duration.ofMillis(Integer.MAX_VALUE)))
            .doc("`Drain.reconnect_within_ms`: clients reconnect after a random delay below it, spreading each"
                    + " batch's reconnects.");
    public static final Key<String> ADMIN_TOKEN = S.define("gateway.admin.token", STRING).secret()
            .check(Check.minLength(16)).unsetMeans("unset (`/admin/*` answers 404)")
            .doc("Bearer token of every `/admin` path: drain (`/admin/drain`), debug mode (`/admin/debug`), drills"
                    + " (`/admin/drill/*`) and the admin view (`/admin/view`, `/admin/status`); see"
                    + " `docs/ops/admin.md`. Pass it through a secret, not the config file.");
    public static final Key<Boolean> ADMIN_DRILLS = S.define("gateway.admin.drills", BOOLEAN).byDefault(false)
            .doc("Enables the fault-injection drill endpoints `/admin/drill/*` (pause and resume this gateway's"
                    + " fan-out, to prove the delivery probe and its alert; see `docs/ops/delivery-probe.md`)."
                    + " `false`: they answer 404. Keep it off in production unless you run drills.");
    public static final Key<Duration> ADMIN_DEBUG_MAX_DURATION = S.define("gateway.admin.debug-max-duration",
                    DURATION).byDefault(Duration.ofMinutes(30)).check(Check.positive())
            .doc("Longest a debug session (`POST /admin/debug`: frame logging for one connection, user or room)"
                    + " may run; longer requests are refused with 400.");
    public static final Key<Duration> PROBE_INTERVAL = S.define("gateway.probe.interval", DURATION)
            .byDefault(Duration.ofSeconds(5)).check(Check.nonNegative())
            .doc("How often the delivery probe publishes a probe message through a router, Kafka and the fan-out"
                    + " into a reserved room (`switchboard:probe-<n>`, one per partition, in turn) and waits for it"
                    + " to come back; every gateway also watches the other gateways' probes. `0`: no probe.");
    public static final Key<Duration> PROBE_TIMEOUT = S.define("gateway.probe.timeout", DURATION)
            .byDefault(Duration.ofSeconds(10)).check(Check.positive())
            .doc("A probe not back within this counts as `lost`; a known peer silent for `interval + timeout`"
                    + " counts as `peer_missing` at every probe interval.");
    public static final Key<Duration> PROBE_PEER_EXPIRY = S.define("gateway.probe.peer-expiry", DURATION)
            .byDefault(Duration.ofMinutes(2)).check(Check.positive())
            .doc("A peer gateway whose probes have not been seen for this long is forgotten (it crashed or was"
                    + " removed; a draining gateway says goodbye and is forgotten at once).");
    public static final Key<Boolean> PROBE_READINESS = S.define("gateway.probe.readiness", BOOLEAN)
            .byDefault(false)
            .doc("`true`: the gateway is not ready (`/observe/health/ready`, `gateway_ready`) while its latest"
                    + " resolved probe failed (lost or not published), so a load balancer stops sending clients to"
                    + " a gateway that silently delivers nothing.");
    public static final Key<Duration> STARTUP_TIMEOUT = S.define("gateway.startup-timeout", DURATION)
            .byDefault(Duration.ofSeconds(30)).check(Check.positive())
            .doc("How long start waits for Kafka (topic metadata, consumer positions) before failing.");
    public static final Key<Duration> LOCAL_FEED_FETCH_WAIT = S.define("gateway.local-feed.fetch-wait", DURATION)
            .byDefault(Duration.ofMillis(50)).check(Check.positive())
            .doc("Only where routers of the same process hand their records over (the single-process platform,"
                    + " `launcher.local-feed`): how long the fan-out consumer's fetches wait to gather records. It then"
                    + " only catches up on records no router of the process handed over (another process's routers,"
                    + " a store whose answer was lost), which reach subscribers up to this much later;"
                    + " `kafka.consumer.fetch.max.wait.ms` overrides it.");
    public static final Key<Duration> ROUTER_KEEPALIVE_TIME = S.define("gateway.router-keepalive-time", DURATION)
            .byDefault(Duration.ofSeconds(10)).check(Check.positive())
            .doc("HTTP/2 ping interval on router channels, also while idle, so a dead router is noticed before the"
                    + " next publish needs it. Routers permit pings every 5 s or more (`permitKeepAliveTime` 5 s,"
                    + " `permitKeepAliveWithoutCalls`); below 5 s they answer GOAWAY `too_many_pings`.");
    public static final Key<Duration> ROUTER_KEEPALIVE_TIMEOUT = S.define("gateway.router-keepalive-timeout", DURATION)
            .byDefault(Duration.ofSeconds(5)).check(Check.positive())
            .doc("A ping unanswered for this long marks the router's connection dead (its calls fail `UNAVAILABLE`"
                    + " and fail over).");
    public static final Key<Integer> WRITER_LANES = S.define("gateway.writer-lanes", INT).byDefault(0)
            .check(Check.atLeast(0))
            .doc("`0`: each connection starts a writer (virtual) thread whenever its queue has frames. Above 0"
                    + " (experimental, off until measured on a quiet machine; see performance.md, round 4): this"
                    + " many long-lived writer threads write every connection's outbound frames in turn, so a room"
                    + " message to many connections wakes a lane instead of starting a thread per connection. A write"
                    + " that blocks longer than `gateway.writer-lane-stall` (a client that does not read) holds up"
                    + " the lane's other connections until the lane moves them to a new thread and leaves that"
                    + " connection writers of its own.");
    public static final Key<Duration> WRITER_LANE_STALL = S.define("gateway.writer-lane-stall", DURATION)
            .byDefault(Duration.ofMillis(10)).check(Check.positive())
            .doc("How long one write may hold up a writer lane before the lane's other connections move to a new"
                    + " thread (checked every half of it).");
    public static final Key<Integer> SOCKET_READ_BUFFER = S.define("gateway.socket-read-buffer", BYTES)
            .byDefault(2048).check(Check.of(b -> b == 0 || (b >= 512 && b <= 65_536), "0, or 512-65536"))
            .doc("Bytes each WebSocket connection's socket reads into at a time, held for the connection's life."
                    + " Helidon's own is 8 KiB, the largest single item of an idle connection's memory; a"
                    + " client frame larger than this takes several reads. `0` keeps Helidon's buffer. Set through"
                    + " Helidon's internals (see performance.md, \"Memory per idle connection\"): on a Helidon"
                    + " version without them every connection keeps Helidon's buffer and the gateway logs a warning"
                    + " once.");
    public static final Key<Boolean> ROUTER_PUBLISH_STREAM = S.define("gateway.router-publish-stream", BOOLEAN)
            .byDefault(true)
            .doc("Publishes go to each router over one long-lived gRPC stream (`RouterService.PublishStream`)"
                    + " instead of a unary `Publish` call each: same deadline (`gateway.publish-timeout`), failover,"
                    + " circuit breaker and dedup ids, a fraction of the CPU per publish. A router without the method"
                    + " (an older version) is called unary. `false`: a unary call per publish.");
    public static final Key<Boolean> ROUTER_STREAM_ON_EVENT_LOOP = S.define("gateway.router-stream-on-event-loop",
                    BOOLEAN).byDefault(false)
            .doc("The answers on the routers' publish streams are handled on the thread that delivers them (a"
                    + " direct executor) instead of being handed to gRPC's callback executor: one thread hand-off less"
                    + " per publish. Over the network that is the gRPC channel's event loop; from a router called"
                    + " in-process (`launcher.in-process-grpc`), the router's thread that answers (Kafka's producer"
                    + " thread). What they run (completing the publish, queueing its Ack frame, a failover's send)"
                    + " never blocks, except that in-process with `router.grpc.publish-stream-on-event-loop` a"
                    + " failover's send runs the next router's handler, which may wait as that key says. Measured in"
                    + " docs/performance.md, \"Round 9b\" (network) and \"Round 25\" (in-process).");
    public static final Key<Float> BREAKER_FAILURE_RATE = S.define("gateway.router-breaker.failure-rate-threshold",
                    FLOAT).byDefault(50f).check(Check.of(r -> r > 0 && r <= 100, "> 0 and <= 100"))
            .doc("Percent of failed calls that opens a router's circuit breaker. Only `UNAVAILABLE` and"
                    + " `DEADLINE_EXCEEDED` count as failures; request errors such as `INVALID_ARGUMENT` count as"
                    + " successes.");
    public static final Key<Integer> BREAKER_SLIDING_WINDOW = S.define("gateway.router-breaker.sliding-window", INT)
            .byDefault(20).check(Check.atLeast(1))
            .doc("Calls in the breaker's count-based window.");
    public static final Key<Integer> BREAKER_MINIMUM_CALLS = S.define("gateway.router-breaker.minimum-calls", INT)
            .byDefault(5).check(Check.atLeast(1))
            .doc("Calls recorded before the failure rate is judged.");
    public static final Key<Duration> BREAKER_WAIT_IN_OPEN = S.define("gateway.router-breaker.wait-in-open", DURATION)
            .byDefault(Duration.ofSeconds(5)).check(Check.positive())
            .doc("How long an open breaker skips its router before letting trial calls through.");
    public static final Key<Integer> BREAKER_HALF_OPEN_CALLS = S.define("gateway.router-breaker.half-open-calls", INT)
            .byDefault(3).check(Check.atLeast(1))
            .doc("Trial calls in the half-open state; their failure rate decides between closed and open again.");
    /** {@code gateway.auth.*}: where client token keys come from, and the claim rules. */
    public static final TokenKeys AUTH = TokenKeys.define(S, "gateway.auth", "client tokens",
            "tokens that need its keys close 3002");
    public static final Key<Integer> MAX_SUBSCRIPTIONS = S.define("gateway.limits.max-subscriptions", INT)
            .byDefault(100).check(Check.atLeast(1))
            .doc("Rooms one connection may subscribe to; beyond: Error TOO_MANY_SUBSCRIPTIONS.");
    public static final Key<Integer> MAX_PAYLOAD_BYTES = S.define("gateway.limits.max-payload-bytes", BYTES)
            .byDefault(65_536).check(Check.atLeast(1))
            .doc("Largest Publish payload; beyond: Error PAYLOAD_TOO_LARGE. Must be below `max-frame-bytes`.");
    public static final Key<Integer> MAX_FRAME_BYTES = S.define("gateway.limits.max-frame-bytes", BYTES)
            .byDefault(131_072).check(Check.atLeast(1024))
            .doc("Largest client message (also Helidon's max frame length); beyond: close 1009.");
    public static final Key<Long> MAX_OUTBOUND_QUEUE_BYTES = S.define("gateway.limits.max-outbound-queue-bytes",
                    BYTES_LONG).byDefault(1_048_576L).check(Check.atLeast(1024))
            .doc("Bytes queued for one connection and not yet written; beyond: close 3001 SLOW_CONSUMER and the"
                    + " queue is dropped. At least `max-frame-bytes`.");
    public static final Key<Integer> MAX_INFLIGHT_PUBLISHES = S.define("gateway.limits.max-inflight-publishes", INT)
            .byDefault(64).check(Check.atLeast(1))
            .doc("Publishes and direct messages one connection may have waiting for a router; beyond: Error"
                    + " RATE_LIMITED (retriable).");
    public static final Key<Integer> MAX_EPHEMERAL_BYTES = S.define("gateway.limits.max-ephemeral-bytes", BYTES)
            .byDefault(1024).check(Check.atLeast(1))
            .doc("Largest Ephemeral payload; beyond: Error PAYLOAD_TOO_LARGE. Must be below `max-frame-bytes`. (The"
                    + " router refuses ephemeral payloads above 1024 bytes whatever this says.)");
    public static final Key<List<String>> PRESENCE_ADDRESS = S.define("gateway.presence.address",
                    ValueType.listOf(HOST_PORT))
            .unsetMeans("unset (presence disabled)")
            .check(Check.of(l -> new HashSet<>(l).size() == l.size(), "no duplicates"))
            .doc("Presence service as `host:port` (gRPC; TLS per `gateway.grpc-client.tls.*`), or a list of the"
                    + " instances of a sharded presence (`presence.shards.enabled`; see **Lists** above): the gateway"
                    + " reports to every one, and asks them in turn, moving on on `UNAVAILABLE`. Unset: no reports,"
                    + " SetStatus and PresenceQuery answer Error 101 `UNAVAILABLE`.");
    public static final Key<Duration> PRESENCE_REPORT_INTERVAL = S.define("gateway.presence.report-interval",
                    DURATION).byDefault(Duration.ofMillis(200)).check(Check.positive())
            .doc("How often queued presence changes (connection opened/closed, room joined/left, status) are sent;"
                    + " a full batch of 500 goes at once. An empty Report is sent as heartbeat at least every third"
                    + " of the service's lease.");
    public static final Key<Integer> PRESENCE_MAX_PENDING = S.define("gateway.presence.max-pending", INT)
            .byDefault(100_000).check(Check.atLeast(500))
            .doc("Changes queued at most while the presence service is slow or down; on overflow the queue is"
                    + " dropped and a full Sync follows.");
    public static final Key<Duration> PRESENCE_TIMEOUT = S.define("gateway.presence.timeout", DURATION)
            .byDefault(Duration.ofSeconds(5)).check(Check.positive())
            .doc("gRPC deadline of each Report, Sync and RoomMembers call.");
    public static final Key<List<String>> HISTORY_ADDRESS = S.define("gateway.history.address",
                    ValueType.listOf(HOST_PORT))
            .check(Check.<List<String>>of(l -> !l.isEmpty(), "at least one host:port")
                    .and(Check.of(l -> new HashSet<>(l).size() == l.size(), "no duplicates")))
            .unsetMeans("unset (no resume, no history)")
            .doc("History service replicas: one `host:port`, or several (a list, or comma-separated), each resolved"
                    + " to all its DNS addresses (a Kubernetes headless Service name yields every ready replica),"
                    + " again every 30 s and whenever a connection fails."
                    + " Reads go round robin to the replicas whose gRPC health reports `HistoryService` SERVING (a"
                    + " replica is SERVING once it has caught up with the room log); a read that fails UNAVAILABLE"
                    + " is retried on another replica within `gateway.history.timeout` (3 attempts,"
                    + " `gateway_history_retries_total`). Unset: a Subscribe with"
                    + " `resume_from` that may have missed messages is subscribed with `recovered=false`"
                    + " `HISTORY_DISABLED`, and every HistoryRequest gets Error 104 `RECOVERY_UNAVAILABLE`.");
    public static final Key<Duration> HISTORY_TIMEOUT = S.define("gateway.history.timeout", DURATION)
            .byDefault(Duration.ofSeconds(5)).check(Check.positive())
            .doc("gRPC deadline of each history read; a read that exceeds it counts as history unavailable (Error"
                    + " 104).");
    public static final Key<Integer> RESUME_PAGE_SIZE = S.define("gateway.resume.page-size", INT)
            .byDefault(200).check(Check.between(1, 1000))
            .doc("Messages per history read while replaying a resume. A replay holds at most one page in memory and"
                    + " reads the next one only when its connection's outbound queue has drained (to a quarter of"
                    + " `limits.max-outbound-queue-bytes`), so a gap of any depth streams at the client's pace. A gap"
                    + " longer than one page costs one extra count of the gap in the history store.");
    public static final Key<Integer> RESUME_MAX_MESSAGES = S.define("gateway.resume.max-messages", INT)
            .byDefault(1_000_000).check(Check.atLeast(1))
            .doc("Most messages one resume replays. More missed: `Subscribed.recovered=false`, `TOO_FAR_BEHIND`,"
                    + " nothing replayed (the client reloads or pages history itself). The gateway's memory does not"
                    + " depend on it (the replay streams page by page); it bounds the history reads one resume may"
                    + " cost. A position older than the history still holds is `POSITION_EXPIRED` whatever this is.");
    public static final Key<Long> RESUME_MAX_BUFFER_BYTES = S.define("gateway.resume.max-buffer-bytes", BYTES_LONG)
            .byDefault(1_048_576L).check(Check.atLeast(1024))
            .doc("Live bytes (encoded frames) one resuming subscription holds while its replay is streamed. Beyond"
                    + " it the held messages are dropped and read back from history once the replay reaches them"
                    + " (no close, no gap, no duplicate): a long replay in a busy room costs history reads, not"
                    + " memory. At least `limits.max-frame-bytes`.");
    public static final Key<Boolean> RESUME_COALESCE = S.define("gateway.resume.coalesce", BOOLEAN).byDefault(true)
            .doc("Share identical history page reads of concurrent resumes (reconnect storms). Turn off only to"
                    + " measure what sharing saves (the resume-storm benchmark's baseline).");
    public static final Key<Duration> RESUME_COALESCE_TTL = S.define("gateway.resume.coalesce-ttl", DURATION)
            .byDefault(Duration.ofSeconds(2)).check(Check.positive())
            .doc("How long a completed replay page is shared with identical reads (same room, epoch, position, page"
                    + " size), so a reconnect storm reads each page once. In-flight reads are always shared; failed"
                    + " reads never are.");
    public static final Key<Long> RESUME_COALESCE_MAX_BYTES = S.define("gateway.resume.coalesce-max-bytes",
                    BYTES_LONG).byDefault(67_108_864L).check(Check.atLeast(1))
            .doc("Bound of the shared replay pages, in serialized bytes (least recently used pages are evicted"
                    + " first).");

    /** {@code gateway.grpc-client.tls.*}: TLS of the channels to the other tiers (not the WebSocket port's TLS). */
    public static final ClientTlsKeys GRPC_CLIENT_TLS = ClientTlsKeys.define(S, "gateway.grpc-client.tls",
            "the routers, the presence service and the history service");

    /** {@code gateway.tracing.*} and {@code gateway.log-format}: OpenTelemetry tracing and the log line format. */
    public static final TelemetryKeys TELEMETRY = TelemetryKeys.define(S, "gateway");

    /** The gateway's own keys, for the key tables. */
    public static final KeySection SECTION = S
            .rules(GRPC_CLIENT_TLS.rules())
            .rule(AUTH.requireKey(s -> true, ""))
            .rule(Rule.below(MAX_PAYLOAD_BYTES, MAX_FRAME_BYTES))
            .rule(Rule.atLeastSize(MAX_OUTBOUND_QUEUE_BYTES, MAX_FRAME_BYTES))
            .rule(Rule.below(MAX_EPHEMERAL_BYTES, MAX_FRAME_BYTES))
            .rule(Rule.atLeastSize(RESUME_MAX_BUFFER_BYTES, MAX_FRAME_BYTES))
            .rule(Rule.atLeastSize(SseKeys.MAX_POST_BYTES, MAX_FRAME_BYTES))
            .build();

    /** The {@code kafka.consumer.*} passthrough section. */
    public static final String CONSUMER = "kafka.consumer";

    /** Every key the gateway reads. */
    public static final KeyCatalogue CATALOGUE = KeyCatalogue.builder("gateway")
            .section(SECTION)
            .section(AuthzKeys.SECTION)
            .section(TlsKeys.SECTION)
            .section(LimitKeys.SECTION)
            .section(ProtocolKeys.SECTION)
            .section(CompressionKeys.SECTION)
            .section(NettyKeys.SECTION)
            .section(ConflationKeys.SECTION)
            .section(SseKeys.SECTION)
            .section(WarmUpKeys.SECTION)
            .shared(KafkaKeys.BOOTSTRAP_SERVERS, KafkaKeys.TOPIC_NAME, KafkaKeys.EPHEMERAL_TOPIC_NAME,
                    KafkaKeys.CONTROL_TOPIC_NAME, KafkaKeys.PRESENCE_TOPIC_NAME)
            .passthrough(CONSUMER, Map.of(), Map.of(), "Passed to the fan-out consumer, the consumer of the three"
                    + " signal topics (and the admin client used at start), overriding the gateway's settings except"
                    + " the deserializers, e.g. `kafka.consumer.security.protocol`.")
            .rule(KafkaKeys.distinctTopics(List.of(KafkaKeys.TOPIC_NAME, KafkaKeys.EPHEMERAL_TOPIC_NAME,
                    KafkaKeys.CONTROL_TOPIC_NAME, KafkaKeys.PRESENCE_TOPIC_NAME)))
            .checkRoot("kafka", KafkaKeys::isKnown)
            .build();

    private GatewayKeys() {
    }
}
