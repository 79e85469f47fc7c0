package io.switchboard.gateway.limits;

import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

import io.github.bucket4j.TimeMeter;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.websocket.WsConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.service.config.TierConfig;

/**
 * The gateway's edge limits made from its configuration ({@link LimitKeys}): what the web server is built with
 * (the WebSocket protocol's origin check, the HTTP head limit, the handshake deadlines, the CORS and upgrade-cap
 * filters) and what each session is given (its frame rate limiter, the Connect frame limit, the cluster-wide
 * per-user cap). Built once per gateway start; {@link #close()} unregisters its metrics. Thread-safe.
 */
public final class EdgeLimits implements AutoCloseable {
    private final Optional<OriginPolicy> origins;
    private final List<String> originPatterns;
    private final ConnectionCaps caps;
    private final ClientIpResolver clients;
    private final FrameRateLimiter.Settings rates;
    private final int maxConnectFrameBytes;
    private final int maxHeaderBytes;
    private final LimitMetrics metrics;
    private final HandshakeDeadlines handshakes;
    private final int maxClusterConnectionsPerUser;
    // Set once at start, before sessions open, when presence is configured.
    private volatile ClusterUserCap clusterCap;

    private EdgeLimits(TierConfig config, PrometheusRegistry registry, TimeMeter time) {
        List<OriginPolicy.Pattern> patterns = config.find(LimitKeys.ALLOWED_ORIGINS).orElse(List.of());
        this.origins = patterns.isEmpty() ? Optional.empty() : Optional.of(OriginPolicy.of(patterns));
        this.originPatterns = patterns.stream().map(OriginPolicy.Pattern::toString).toList();
        this.caps = new ConnectionCaps(config.get(LimitKeys.MAX_CONNECTIONS),
                config.get(LimitKeys.MAX_CONNECTIONS_PER_IP));
        this.clients = new ClientIpResolver(config.find(LimitKeys.CLIENT_IP_HEADER),
                config.get(LimitKeys.CLIENT_IP_TRUSTED_PROXIES));
        this.rates = new FrameRateLimiter.Settings(config.get(LimitKeys.MESSAGES_PER_SECOND),
                config.get(LimitKeys.MESSAGE_BURST), config.get(LimitKeys.BYTES_PER_SECOND),
                config.get(LimitKeys.BYTE_BURST), config.get(LimitKeys.RATE_LIMITED_BEFORE_CLOSE), time);
        this.maxConnectFrameBytes = config.get(LimitKeys.MAX_CONNECT_FRAME_BYTES);
        this.maxHeaderBytes = config.get(LimitKeys.MAX_HEADER_BYTES);
        this.metrics = new LimitMetrics(registry);
        this.maxClusterConnectionsPerUser = config.get(LimitKeys.MAX_CLUSTER_CONNECTIONS_PER_USER);
        this.handshakes = new HandshakeDeadlines(config.get(LimitKeys.HANDSHAKE_TIMEOUT), System::nanoTime, metrics);
    }

    /** The limits of {@code config}, with metrics in {@code registry} and buckets refilled by the system clock. */
    public static EdgeLimits from(TierConfig config, PrometheusRegistry registry) {
        return new EdgeLimits(config, registry, TimeMeter.SYSTEM_NANOTIME);
    }

    /**
     * The WebSocket protocol configuration: with an allow-list, Helidon's origin check asks it; without one,
     * Helidon's same-origin rule applies.
     */
    public WsConfig wsConfig(int maxFrameLength) {
        return origins.<WsConfig>map(p -> OriginCheckedWsConfig.of(maxFrameLength, p, originPatterns, metrics))
                .orElseGet(() -> WsConfig.builder().maxFrameLength(maxFrameLength).build());
    }

    /** HTTP/1.1 with the request head limited to {@code gateway.limits.max-header-bytes}. */
    public Http1Config http1Config() {
        return Http1Config.builder().maxHeadersSize(maxHeaderBytes).build();
    }

    /** The listener's connection options: Helidon's defaults, and each accepted connection's handshake deadline. */
    public io.helidon.common.socket.SocketOptions connectionOptions() {
        return handshakes.socketOptions();
    }

    /** Closes connections past their handshake deadline; the gateway's timer calls it every second. */
    public void sweepHandshakes() {
        handshakes.sweep();
    }

    /**
     * Adds the handshake-done mark, the CORS filter (with an allow-list only) and the upgrade caps to
     * {@code routing}, in that order.
     *
     * @param wsPath          the WebSocket endpoint's path
     * @param noCors          paths that never get CORS (the operational endpoints)
     * @param onConnectionEnd runs a cleanup once a connection's thread has ended
     * @param reapEnded       runs now the cleanups of the connections that have ended (before a cap refuses)
     * @param open            whether the gateway is open to clients: upgrades let in before (its warm-up's) take no
     *                        place under the caps
     */
    public void install(HttpRouting.Builder routing, String wsPath, List<String> noCors,
                        BiConsumer<Thread, Runnable> onConnectionEnd, Runnable reapEnded, BooleanSupplier open) {
        routing.addFilter(handshakes);
        origins.ifPresent(p -> routing.addFilter(new CorsFilter(p, noCors)));
        routing.addFilter(new UpgradeGuard(wsPath, capGate(reapEnded), onConnectionEnd, open));
    }

    /**
     * The connection caps for a transport that admits its connections itself (the HTTP fallback's event streams):
     * the same caps the WebSocket upgrades count against.
     *
     * @param reapEnded runs now the cleanups of the connections that have ended (before a cap refuses)
     */
    public CapGate capGate(Runnable reapEnded) {
        return new CapGate(caps, clients, metrics, reapEnded);
    }

    /**
     * The WebSocket upgrade's origin rule for plain HTTP requests that act on a client connection (the HTTP
     * fallback): no {@code Origin} (not a browser) is allowed; with {@code gateway.allowed-origins} set the origin
     * must be in it, else it must be the gateway's own (same host and port as {@code host}). A refusal is counted.
     *
     * @param secure whether the request came over TLS
     */
    public boolean allowsOrigin(Optional<String> origin, Optional<String> host, boolean secure) {
        if (origin.isEmpty()) {
            return true;
        }
        boolean allowed = origins.map(p -> p.allows(origin.get()))
                .orElseGet(() -> SameOrigin.matches(origin.get(), host, secure));
        if (!allowed) {
            metrics.refused(LimitMetrics.Limit.ORIGIN);
        }
        return allowed;
    }

    /** The limits of one new connection (its rate buckets full). */
    public ConnectionLimits forConnection() {
        return new ConnectionLimits(maxConnectFrameBytes, rates, metrics, clusterCap);
    }

    /**
     * Turns the cluster-wide per-user cap on (when configured) with {@code presence} answering; call at start,
     * before sessions open.
     */
    public void usePresence(io.switchboard.gateway.presence.PresenceDirectory presence) {
        if (maxClusterConnectionsPerUser > 0) {
            clusterCap = new ClusterUserCap(maxClusterConnectionsPerUser, presence, metrics);
        }
    }

    public LimitMetrics metrics() {
        return metrics;
    }

    /** Connections admitted by the caps and still open (for tests and the admin view). */
    public ConnectionCaps caps() {
        return caps;
    }

    @Override
    public void close() {
        metrics.close();
    }
}
