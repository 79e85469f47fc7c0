package io.switchboard.gateway.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Ticker;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.auth.capability.Capabilities;
import io.switchboard.auth.capability.CapabilityException;
import io.switchboard.auth.capability.Verb;
import io.switchboard.gateway.auth.AuthException;
import io.switchboard.gateway.limits.ConnectionLimits;
import io.switchboard.proto.PublishLanes;
import io.switchboard.proto.internal.v1.PublishSequence;
import io.switchboard.gateway.auth.TokenVerifier;
import io.switchboard.gateway.auth.VerifiedToken;
import io.switchboard.gateway.authz.AuthzConfig;
import io.switchboard.gateway.authz.RoomAuthorizer;
import io.switchboard.gateway.fanout.FanoutMessage;
import io.switchboard.gateway.fanout.LiveHandOver;
import io.switchboard.gateway.fanout.Subscriber;
import io.switchboard.gateway.fanout.SubscriptionRegistry;
import io.switchboard.gateway.history.HistoryClient;
import io.switchboard.gateway.history.HistoryPager;
import io.switchboard.gateway.history.ResumeReader;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.gateway.presence.PresenceChanges;
import io.switchboard.gateway.presence.PresenceDirectory;
import io.switchboard.gateway.routing.RouterClient;
import io.switchboard.gateway.ws.Subprotocol;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.ReadResponse;
import io.switchboard.proto.internal.v1.SendToUserRequest;
import io.switchboard.proto.internal.v1.SendToUserResponse;
import io.switchboard.roomlog.RoomLogTopic;

import static org.awaitility.Awaitility.await;

/**
 * Sessions of one gateway without Kafka, gRPC or sockets: a {@link SessionFactory} over scripted collaborators
 * (router calls and history reads the test answers by hand, a hand-over point the test chooses, tokens from a
 * table, recorded presence reports) and a {@link RecordingSink} per connection. Close it after each test.
 */
final class SessionHarness implements AutoCloseable {
    static final String GATEWAY_ID = "gw-test";
    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    static final Instant TOKEN_EXPIRY = NOW.plus(Duration.ofHours(1));

    /** Defaults: long timeouts (nothing fires unless the test shortens them), roomy limits. */
    static SessionSettings settings() {
        return new SessionSettings(Duration.ofMinutes(1), Duration.ofMinutes(1), 100, 131_072, 65_536, 1_048_576,
                64, 1_048_576);
    }

    /** A router call the test answers by completing {@link #answer}. */
    record Call<Q, R>(Q request, CompletableFuture<R> answer) {
    }

    /** Holds a call of {@code request} in {@code calls}; the caller gets its answer once the test completes it. */
    static <Q, R> CompletableFuture<R> hold(BlockingQueue<Call<Q, R>> calls, Q request) {
        CompletableFuture<R> answer = new CompletableFuture<>();
        calls.add(new Call<>(request, answer));
        return answer;
    }

    /** The next call held in {@code calls}, waiting up to 10 s; none by then fails with {@code missing}. */
    static <Q, R> Call<Q, R> next(BlockingQueue<Call<Q, R>> calls, String missing) throws InterruptedException {
        Call<Q, R> call = calls.poll(10, TimeUnit.SECONDS);
        if (call == null) {
            throw new AssertionError(missing);
        }
        return call;
    }

    /** Router calls, held until the test answers them. */
    static final class ScriptedRouter implements RouterClient {
        final BlockingQueue<Call<Envelope, PublishResponse>> publishes = new LinkedBlockingQueue<>();
        /** The lane and number each of {@link #publishes} was sent with, in the same order. */
        final List<PublishSequence> sequences = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<PublishResponse> publish(Envelope envelope, Duration timeout) {
            return hold(publishes, envelope);
        }

        @Override
        public CompletableFuture<PublishResponse> publish(Envelope envelope, PublishLanes.Ticket ticket,
                                                          Duration timeout) {
            sequences.add(ticket.sequence());
            return publish(envelope, timeout);
        }

        Call<Envelope, PublishResponse> nextPublish() throws InterruptedException {
            return next(publishes, "no publish reached the router");
        }

        final BlockingQueue<Call<SendToUserRequest, SendToUserResponse>> directs = new LinkedBlockingQueue<>();

        @Override
        public CompletableFuture<SendToUserResponse> sendToUser(SendToUserRequest request, Duration timeout) {
            return hold(directs, request);
        }

        @Override
        public void close(Duration timeout) {
        }
    }

    /** History reads, held until the test answers them. */
    static final class HeldHistory implements HistoryClient {
        final BlockingQueue<Call<ReadRequest, ReadResponse>> reads = new LinkedBlockingQueue<>();

        @Override
        public CompletableFuture<ReadResponse> read(ReadRequest request) {
            return hold(reads, request);
        }

        Call<ReadRequest, ReadResponse> nextRead() throws InterruptedException {
            return next(reads, "no read reached the history service");
        }

        @Override
        public void close(Duration timeout) {
        }
    }

    /**
     * The fan-out at its hand-over point: registers in the registry and reports {@link #liveFrom} as where the
     * room's live stream starts; {@link #deliver} plays a live record to the room's subscribers.
     */
    static final class FakeHandOver implements LiveHandOver {
        final SubscriptionRegistry registry;
        volatile long liveFrom;

        FakeHandOver(SubscriptionRegistry registry) {
            this.registry = registry;
        }

        @Override
        public long subscribeAt(String room, Subscriber subscriber) {
            registry.subscribe(room, subscriber);
            return liveFrom;
        }

        void deliver(String room, long position) {
            FanoutMessage message = new FanoutMessage(room, ServerFrame.newBuilder().setMessage(Message.newBuilder()
                    .setRoom(room).setPosition(position).setId("live-" + position)).build());
            for (Subscriber s : registry.subscribers(room)) {
                s.deliver(message);
            }
        }
    }

    /** Presence reports as lines such as {@code joined room-1}. */
    static final class RecordingPresence implements PresenceChanges {
        final List<String> reports = new CopyOnWriteArrayList<>();

        @Override
        public void opened(String sessionId, String userId, String client, Instant openedTime) {
            reports.add("opened " + userId);
        }

        @Override
        public void closed(String sessionId) {
            reports.add("closed");
        }

        @Override
        public void joined(String sessionId, String room) {
            reports.add("joined " + room);
        }

        @Override
        public void left(String sessionId, String room) {
            reports.add("left " + room);
        }

        @Override
        public void status(String sessionId, PresenceStatus status, String text) {
            reports.add("status " + status);
        }
    }

    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final PrometheusRegistry prometheus = new PrometheusRegistry();
    final GatewayMetrics metrics = new GatewayMetrics(prometheus);
    final ConnectionRegistry connections = new ConnectionRegistry();
    final SubscriptionRegistry registry = new SubscriptionRegistry();
    final FakeHandOver handOver = new FakeHandOver(registry);
    final RoomLogTopic layout = new RoomLogTopic("rooms", "topic-id", 8);
    final ScriptedRouter router = new ScriptedRouter();
    final HeldHistory history = new HeldHistory();
    final RecordingPresence presence = new RecordingPresence();
    final Admission admission = new Admission();
    final RoomAuthorizer authorizer;
    final SessionFactory factory;

    /** The rooms the harness's tokens grant every verb in (the tests' rooms); nothing else is open. */
    static final List<String> GRANTED_ROOMS = List.of("lobby", "r", "a", "b", "c", "chat:*");

    SessionHarness() {
        this(settings());
    }

    SessionHarness(SessionSettings settings) {
        this(settings, AuthzConfig.defaults(), Map.of());
    }

    /**
     * Sessions with {@code authz} deciding room permissions, and {@code moreTokens} (token text to verified token)
     * besides the default ones: {@code alice}, {@code alice-later} (expires an hour later), {@code bob}, each
     * granting every verb in {@link #GRANTED_ROOMS}.
     */
    SessionHarness(SessionSettings settings, AuthzConfig authz, Map<String, VerifiedToken> moreTokens) {
        this(settings, authz, moreTokens, ConnectionLimits::none);
    }

    /** As above, each connection with the edge limits {@code limits} gives (the frame rates). */
    SessionHarness(SessionSettings settings, AuthzConfig authz, Map<String, VerifiedToken> moreTokens,
                   Supplier<ConnectionLimits> limits) {
        Map<String, VerifiedToken> tokens = new HashMap<>(moreTokens);
        tokens.put("alice", token("alice", TOKEN_EXPIRY, grantAll(GRANTED_ROOMS)));
        tokens.put("alice-later", token("alice", TOKEN_EXPIRY.plus(Duration.ofHours(1)), grantAll(GRANTED_ROOMS)));
        tokens.put("bob", token("bob", TOKEN_EXPIRY, grantAll(GRANTED_ROOMS)));
        authorizer = RoomAuthorizer.create(authz, GATEWAY_ID, new PrometheusRegistry());
        TokenVerifier verifier = token -> {
            if (token.equals("expired")) {
                throw new AuthException(ErrorCode.TOKEN_EXPIRED, "exp: token expired");
            }
            VerifiedToken verified = tokens.get(token);
            if (verified == null) {
                throw new AuthException(ErrorCode.INVALID_TOKEN, "signature: invalid");
            }
            return verified;
        };
        factory = SessionFactory.builder(GATEWAY_ID, settings)
                .clock(clock)
                .timer(timer)
                .bookkeeping(metrics, connections)
                .verifier(verifier, authorizer)
                .fanout(registry, handOver, layout)
                .history(new ResumeReader(history, 100, 1000, Duration.ofMinutes(1), 1 << 20, metrics,
                        Ticker.systemTicker(), false), new HistoryPager(history, layout, metrics))
                .routers(new PublishHandler(router, Duration.ofSeconds(10), settings.maxPayloadBytes(), metrics, clock),
                        new DirectMessageHandler(router, Duration.ofSeconds(10), settings.maxPayloadBytes()),
                        new EphemeralHandler(router, Duration.ofSeconds(10), 1024, clock))
                .admission(admission)
                .limits(limits)
                .presence(presence, new PresenceQueryHandler(PresenceDirectory.unconfigured(), () -> true))
                .build();
        admission.ready();
    }

    /** The value of the unlabelled gauge {@code name} now. */
    double gauge(String name) {
        for (var snapshot : prometheus.scrape()) {
            if (snapshot.getMetadata().getName().equals(name)
                    && snapshot instanceof io.prometheus.metrics.model.snapshots.GaugeSnapshot g) {
                return g.getDataPoints().getFirst().getValue();
            }
        }
        throw new AssertionError("no gauge " + name);
    }

    /** A connection of the binary subprotocol, its session opened. */
    Connection connect() {
        RecordingSink sink = new RecordingSink();
        return new Connection(factory.open(Subprotocol.PROTO, sink), sink);
    }

    /** A connection that sent Connect with {@code token} and got Connected. */
    Connection connectAs(String token) {
        Connection c = connect();
        c.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(token).setClient("test")).build());
        c.awaitFrame(ServerFrame::hasConnected);
        return c;
    }

    /** The claims of a token granting every verb in each of {@code patterns}. */
    static Map<String, Object> grantAll(List<String> patterns) {
        List<String> verbs = java.util.Arrays.stream(Verb.values()).map(Verb::wireName).toList();
        Map<String, Object> rooms = new HashMap<>();
        patterns.forEach(p -> rooms.put(p, verbs));
        return Map.of("rooms", rooms);
    }

    /** A verified token of {@code user} with {@code claims} (besides {@code sub}), as the verifier would read it. */
    static VerifiedToken token(String user, Instant expiry, Map<String, Object> claims) {
        Map<String, Object> all = new HashMap<>(claims);
        all.put("sub", user);
        try {
            return new VerifiedToken(user, expiry, Capabilities.fromClaims(all), Map.copyOf(all));
        } catch (CapabilityException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public void close() {
        connections.abortAll();
        timer.shutdownNow();
        metrics.close();
        authorizer.close();
    }

    /** One connection: its session and what it wrote. */
    record Connection(ClientSession session, RecordingSink sink) {
        void send(ClientFrame frame) {
            session.onFrame(frame);
        }

        /** Waits until a written frame matches {@code match}; returns the first such frame. */
        ServerFrame awaitFrame(java.util.function.Predicate<ServerFrame> match) {
            return await().atMost(Duration.ofSeconds(10)).until(
                    () -> sink.frames().stream().filter(match).findFirst(), java.util.Optional::isPresent).get();
        }

        /** Waits until {@code n} frames were written; returns them all. */
        List<ServerFrame> awaitFrames(int n) {
            return await().atMost(Duration.ofSeconds(10)).until(sink::frames, f -> f.size() >= n);
        }

        /** Waits for the close frame. */
        RecordingSink.Close awaitClose() {
            return await().atMost(Duration.ofSeconds(10)).until(sink::closed, java.util.Objects::nonNull);
        }
    }
}
