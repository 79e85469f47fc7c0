package io.switchboard.gateway.sse;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import io.helidon.webserver.http.HttpRouting;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.gateway.auth.TokenVerifier;
import io.switchboard.gateway.limits.EdgeLimits;
import io.switchboard.gateway.ws.ConnectionHandler;

/**
 * The HTTP fallback transport of one gateway: {@code GET <path>} opens an event stream
 * ({@link EventStreamHandler}), {@code POST <path>/<stream>} carries client frames into its session and
 * {@code DELETE <path>/<stream>} ends it ({@link PostHandler}). Sessions are the gateway's ordinary sessions with the
 * same limits and the same write path as WebSocket connections; only the transport differs. Built once per gateway
 * start; {@link #close()} unregisters its metrics. Thread-safe.
 */
public final class HttpFallback implements AutoCloseable {
    private final SseSettings settings;
    private final SseStreams streams = new SseStreams();
    private final SseMetrics metrics;
    private final EventStreamHandler open;
    private final PostHandler posts;

    /** What the transport needs from its gateway. */
    public record Gateway(Supplier<ConnectionHandler.Factory> sessions, BooleanSupplier admitting,
                          Supplier<TokenVerifier> verifier, EdgeLimits limits, Runnable reapEnded,
                          ScheduledExecutorService timer, IntSupplier connections, PrometheusRegistry registry) {
        public Gateway {
            Objects.requireNonNull(sessions, "sessions");
            Objects.requireNonNull(admitting, "admitting");
            Objects.requireNonNull(verifier, "verifier");
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(reapEnded, "reapEnded");
            Objects.requireNonNull(timer, "timer");
            Objects.requireNonNull(connections, "connections");
            Objects.requireNonNull(registry, "registry");
        }
    }

    public HttpFallback(SseSettings settings, Gateway gateway) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.metrics = new SseMetrics(gateway.registry(), gateway.connections(), streams::size);
        OriginRule origins = new OriginRule(gateway.limits());
        this.open = new EventStreamHandler(gateway.sessions(), gateway.admitting(), origins,
                gateway.limits().capGate(gateway.reapEnded()), streams, gateway.timer(), settings.heartbeat());
        this.posts = new PostHandler(streams, origins, new PostAuthorization(gateway.verifier()),
                settings.maxPostBytes(), settings.maxFrameBytes(), metrics);
    }

    /** Adds the transport's routes to {@code routing}. */
    public void register(HttpRouting.Builder routing) {
        String path = settings.path();
        routing.get(path, open)
                .post(path + "/{stream}", posts::post)
                .delete(path + "/{stream}", posts::delete);
    }

    /** Event streams open now. */
    public int streams() {
        return streams.size();
    }

    @Override
    public void close() {
        metrics.close();
    }
}
