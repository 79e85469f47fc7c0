package io.switchboard.gateway.routing;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.grpc.Deadline;
import io.grpc.Status;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.proto.PublishLanes;
import io.switchboard.service.GrpcFutures;
import io.switchboard.proto.internal.v1.EphemeralRecord;
import io.switchboard.proto.internal.v1.EphemeralRequest;
import io.switchboard.proto.internal.v1.EphemeralResponse;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.SendToUserRequest;
import io.switchboard.proto.internal.v1.SendToUserResponse;
import io.switchboard.service.telemetry.Tracing;

/**
 * {@link RouterClient} over gRPC with failover. The routers are a static list or discovered through DNS
 * ({@link DnsRouterDiscovery}); each has one channel and one Resilience4j circuit breaker ({@link RouterPool}).
 *
 * <p>Every call is routed by a key ({@link #call}): the room for room traffic, {@code "user:<id>"} for
 * per-user traffic. {@link RendezvousPicker} ranks the routers for the key; the call goes to the first whose
 * breaker permits it. When that router answers UNAVAILABLE (refused, reset, not ready), the same request (same
 * message id, so a router's dedup recognises it) is sent once more to the next permitted router in the ranking,
 * within what is left of the caller's deadline. DEADLINE_EXCEEDED is not retried elsewhere (see
 * {@link FailurePolicy}). With every breaker open the call fails at once with UNAVAILABLE. Publishes go over one
 * long-lived stream per router ({@link PublishStream}) with the same per-publish deadline, breaker accounting and
 * failover as a unary call. With tracing on, a publish request carries the trace context current on the calling
 * thread (the publish's span) in its {@code trace_context} field: per request, as the stream is shared.
 *
 * <p>To add a RouterService method, route it through {@link #call} with its key, e.g.
 * {@code call("user:" + id, timeout, (stub, obs) -> stub.sendToUser(request, obs))}.
 *
 * <p>Lifecycle: {@link #builder()}, {@link #start()} once, {@link #close(Duration)}. Thread-safe.
 */
public final class GrpcRouterClient implements RouterClient {
    /** Attempts after the first one, on the next routers in the ranking. */
    static final int MAX_FAILOVERS = 1;
    private static final TextMapSetter<PublishRequest.Builder> TRACE_CONTEXT = PublishRequest.Builder::putTraceContext;

    private final RouterPool pool;
    private final boolean publishStreams;
    private final ScheduledThreadPoolExecutor deadlines;
    private final RouterMetrics metrics;
    private final List<RouterEndpoint> staticRouters;
    private final DnsRouterDiscovery discovery;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Tracing tracing;

    private GrpcRouterClient(Builder b) {
        this.publishStreams = b.publishStream;
        this.tracing = b.tracing;
        this.deadlines = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("switchboard-router-deadlines")
                .daemon(true).factory());
        this.deadlines.setRemoveOnCancelPolicy(true);
        this.pool = new RouterPool(b.channels, b.breaker, b.clock, deadlines, b.publishStreamOnEventLoop);
        this.metrics = new RouterMetrics(b.registry, pool::breakerStates);
        this.staticRouters = b.routers;
        this.discovery = b.dns == null ? null
                : new DnsRouterDiscovery(b.dns, b.dnsRefresh, b.resolver, pool, metrics, b.refreshTimer);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Takes the static routers, or resolves the DNS name once and schedules its refresh. A failed first lookup
     * does not fail the start: calls answer UNAVAILABLE until a lookup succeeds.
     *
     * @throws IllegalStateException when called twice
     */
    public GrpcRouterClient start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("Already started");
        }
        if (discovery == null) {
            pool.update(staticRouters);
        } else {
            discovery.start();
        }
        return this;
    }

    /** Over each router's publish stream ({@link PublishStream}), or a unary call each when streams are off. */
    @Override
    public CompletableFuture<PublishResponse> publish(Envelope envelope, Duration timeout) {
        return publish(envelope, null, timeout);
    }

    /**
     * Over each router's publish stream, with the lane's sequence as it stands at each attempt (a failover attempt
     * tells the next router what was acknowledged meanwhile, and that it may repeat what the router before stored;
     * so does the first attempt of a client's resend of a failed publish). Unary calls (streams off) carry no
     * sequence: they are not started in order, so a lane would only turn their reordering into refusals.
     */
    @Override
    public CompletableFuture<PublishResponse> publish(Envelope envelope, PublishLanes.Ticket ticket,
                                                      Duration timeout) {
        PublishRequest request = traced(envelope);
        if (!publishStreams) {
            return call(envelope.getRoom(), timeout, (stub, response) -> stub.publish(request, response));
        }
        // A client's resend of a publish that failed is marked like a failover attempt: it may have been stored.
        PublishRequest first = ticket == null ? request
                : request.toBuilder().setSequence(ticket.sequence()).setFailover(ticket.resend()).build();
        return route(envelope.getRoom(), timeout, (router, deadline, failover) -> router.publishes().publish(
                failover ? failover(first, ticket) : first, deadline));
    }

    /**
     * The request with, when tracing is on, the trace context current on the calling thread (the publish's span):
     * built here, before any attempt, as a failover attempt runs on another thread.
     */
    private PublishRequest traced(Envelope envelope) {
        PublishRequest.Builder builder = PublishRequest.newBuilder().setEnvelope(envelope);
        if (tracing.enabled()) {
            tracing.inject(Context.current(), builder, TRACE_CONTEXT);
        }
        return builder.build();
    }

    /**
     * A publish's failover attempt: marked, so that the next router first catches up with what the one before
     * stored, and with the lane as it stands now (the trace context stays).
     */
    private static PublishRequest failover(PublishRequest first, PublishLanes.Ticket ticket) {
        PublishRequest.Builder again = first.toBuilder().setFailover(true);
        if (ticket != null) {
            again.setSequence(ticket.sequence());
        }
        return again.build();
    }

    /** Routed by the event's room, like its room's publishes. */
    @Override
    public CompletableFuture<EphemeralResponse> publishEphemeral(EphemeralRecord event, Duration timeout) {
        EphemeralRequest request = EphemeralRequest.newBuilder().setEvent(event).build();
        return call(event.getRoom(), timeout, (stub, response) -> stub.publishEphemeral(request, response));
    }

    /** Routed by {@code "user:<id>"}; a failover retry carries the same id, so the router's dedup sees it. */
    @Override
    public CompletableFuture<SendToUserResponse> sendToUser(SendToUserRequest request, Duration timeout) {
        return call("user:" + request.getUserId(), timeout, (stub, response) -> stub.sendToUser(request, response));
    }

    /**
     * Sends one unary call to the best router for {@code key} that permits it, failing over once on
     * UNAVAILABLE. The future fails with a gRPC {@code StatusRuntimeException}; it never blocks the caller.
     */
    public <T> CompletableFuture<T> call(String key, Duration timeout, RouterCall<T> call) {
        Objects.requireNonNull(call, "call");
        return route(key, timeout, (router, deadline, failover) -> GrpcFutures.unary("router " + router,
                response -> call.invoke(router.stub().withDeadline(deadline), response)));
    }

    /** What one attempt sends to one router, within what is left of the caller's deadline. */
    private interface Attempt<T> {
        /** @param failover whether an earlier attempt of the request went to another router */
        CompletableFuture<T> send(RouterChannel router, Deadline deadline, boolean failover);
    }

    private <T> CompletableFuture<T> route(String key, Duration timeout, Attempt<T> call) {
        Objects.requireNonNull(key, "key");
        CompletableFuture<T> result = new CompletableFuture<>();
        Deadline deadline = Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
        attempt(pool.ranked(key), 0, MAX_FAILOVERS, deadline, call, result, null);
        return result;
    }

    private <T> void attempt(List<RouterChannel> ranked, int from, int failoversLeft, Deadline deadline,
                             Attempt<T> call, CompletableFuture<T> result, Throwable previous) {
        boolean skippedOpen = false;
        for (int i = from; i < ranked.size(); i++) {
            RouterChannel router = ranked.get(i);
            if (!router.tryAcquire()) {
                continue; // retired by discovery since the ranking was taken
            }
            if (!router.breaker().tryAcquirePermission()) {
                router.release();
                skippedOpen = true;
                continue;
            }
            if (skippedOpen && previous == null) {
                metrics.failover("breaker_open");
            }
            int next = i + 1;
            long start = System.nanoTime();
            CompletableFuture<T> answer;
            try {
                // A retry after a failed attempt: the router before may have stored it. (Not when the first choice's
                // breaker was open: that router got nothing of this request, and the mark costs the next router a
                // wait for its log index on the stream.)
                answer = call.send(router, deadline, previous != null);
            } catch (RuntimeException e) {
                // The call was never made: it neither counts for nor against the router.
                router.breaker().releasePermission();
                router.release();
                result.completeExceptionally(Status.INTERNAL.withDescription("router call failed: " + e)
                        .withCause(e).asRuntimeException());
                return;
            }
            answer.whenComplete((value, failure) -> {
                long nanos = System.nanoTime() - start;
                router.release();
                if (failure == null) {
                    router.breaker().onSuccess(nanos, TimeUnit.NANOSECONDS);
                    result.complete(value);
                    return;
                }
                router.breaker().onError(nanos, TimeUnit.NANOSECONDS, failure);
                if (failoversLeft > 0 && FailurePolicy.retriableElsewhere(failure) && !deadline.isExpired()) {
                    metrics.failover("unavailable");
                    attempt(ranked, next, failoversLeft - 1, deadline, call, result, failure);
                } else {
                    result.completeExceptionally(failure);
                }
            });
            return;
        }
        if (previous != null) {
            result.completeExceptionally(previous); // the failover found no other router: report the first answer
            return;
        }
        metrics.rejected();
        result.completeExceptionally(Status.UNAVAILABLE.withDescription(ranked.isEmpty()
                ? "no router known" : "no router available (" + ranked.size() + " known, circuit breakers open)")
                .asRuntimeException());
    }

    /** The router that owns {@code key} when all are healthy, if any is known (logs and tests). */
    public Optional<RouterEndpoint> ownerOf(String key) {
        List<RouterChannel> ranked = pool.ranked(key);
        return ranked.isEmpty() ? Optional.empty() : Optional.of(ranked.getFirst().endpoint());
    }

    /** The routers currently known. */
    public List<RouterEndpoint> routers() {
        return pool.routers();
    }

    @Override
    public Map<String, String> breakerStates() {
        Map<String, String> out = new LinkedHashMap<>();
        pool.breakerStates().forEach((router, state) -> out.put(router.toString(), state.name()));
        return out;
    }

    @Override
    public void close(Duration timeout) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (discovery != null) {
            discovery.close();
        }
        pool.close(timeout);
        deadlines.shutdownNow();
        metrics.close();
    }

    /** Builder of a {@link GrpcRouterClient}; give static routers or a DNS name. Not thread-safe. */
    public static final class Builder {
        private List<RouterEndpoint> routers = List.of();
        private RouterEndpoint dns;
        private Duration dnsRefresh = Duration.ofSeconds(10);
        private RouterResolver resolver = RouterResolver.system();
        private RefreshTimer refreshTimer = RefreshTimer.daemonThread();
        private ChannelFactory channels = ChannelFactory.plaintext(Duration.ofSeconds(10), Duration.ofSeconds(5));
        private BreakerSettings breaker = BreakerSettings.DEFAULTS;
        private Clock clock = Clock.systemUTC();
        private PrometheusRegistry registry;
        private boolean publishStream = true;
        private boolean publishStreamOnEventLoop;
        private Tracing tracing = Tracing.off();

        private Builder() {
        }

        /** Whether publishes carry the calling thread's trace context to the router; off by default. */
        public Builder tracing(Tracing tracing) {
            this.tracing = Objects.requireNonNull(tracing, "tracing");
            return this;
        }

        /**
         * Whether publishes go over one stream per router ({@code gateway.router-publish-stream}, default true)
         * instead of a unary call each.
         */
        public Builder publishStream(boolean publishStream) {
            this.publishStream = publishStream;
            return this;
        }

        /**
         * Whether the publish streams' answers are handled on the channel's event loop instead of gRPC's callback
         * executor ({@code gateway.router-stream-on-event-loop}, default false): a thread hand-off less per
         * publish; what runs there (completing the publish, queueing the Ack frame) never blocks.
         */
        public Builder publishStreamOnEventLoop(boolean onEventLoop) {
            this.publishStreamOnEventLoop = onEventLoop;
            return this;
        }

        /** A static router list ({@code gateway.routers}). */
        public Builder routers(List<RouterEndpoint> routers) {
            this.routers = List.copyOf(routers);
            return this;
        }

        /** Discovers routers by resolving {@code name}'s host every {@code refresh}; wins over static routers. */
        public Builder dns(RouterEndpoint name, Duration refresh) {
            this.dns = Objects.requireNonNull(name, "name");
            if (refresh.isNegative() || refresh.isZero()) {
                throw new IllegalArgumentException("gateway.router-dns-refresh: " + refresh + " (expected: > 0)");
            }
            this.dnsRefresh = refresh;
            return this;
        }

        public Builder resolver(RouterResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /** What runs the DNS lookups after the first; by default a daemon thread. */
        public Builder refreshTimer(RefreshTimer refreshTimer) {
            this.refreshTimer = Objects.requireNonNull(refreshTimer, "refreshTimer");
            return this;
        }

        public Builder channels(ChannelFactory channels) {
            this.channels = Objects.requireNonNull(channels, "channels");
            return this;
        }

        public Builder breaker(BreakerSettings breaker) {
            this.breaker = Objects.requireNonNull(breaker, "breaker");
            return this;
        }

        /** The clock of the breakers' open-state wait. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where the router metrics go; by default a fresh registry. */
        public Builder registry(PrometheusRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        public GrpcRouterClient build() {
            if (dns == null && routers.isEmpty()) {
                throw new IllegalArgumentException("gateway.routers: [] (expected: at least one, or gateway.router-dns)");
            }
            if (registry == null) {
                registry = new PrometheusRegistry();
            }
            return new GrpcRouterClient(this);
        }
    }
}
