package io.switchboard.gateway.authz;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.auth.capability.Capabilities;
import io.switchboard.auth.capability.DirectGrants;
import io.switchboard.auth.capability.NamespacePolicies;
import io.switchboard.auth.capability.NamespacePolicy;
import io.switchboard.auth.capability.RoomAccess;
import io.switchboard.auth.capability.Verb;
import io.switchboard.gateway.auth.VerifiedToken;
import io.switchboard.gateway.grpc.BackendChannel;
import io.switchboard.proto.api.v1.AuthorizeRequest;
import io.switchboard.proto.api.v1.AuthorizeResponse;
import io.switchboard.proto.api.v1.AuthorizerGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Token grants, namespace policies and the backend Authorizer (a real in-process gRPC server) together: what is
 * asked, what is cached for how long, and what happens when the backend denies, is slow or is down.
 */
class RoomAuthorizerTest {
    private static final Duration DEADLINE = Duration.ofMillis(300);
    private static final Map<String, Object> CLAIMS = Map.of("sub", "alice", "role", "member", "exp", 1_900_000_000L);

    /** The backend: allows what its rule says, records every request, can be made slow or failing. */
    private final List<AuthorizeRequest> asked = new CopyOnWriteArrayList<>();
    private volatile String mode = "rule";
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    /** The registry of the authorizer made last. */
    private PrometheusRegistry registry;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(new AuthorizerGrpc.AuthorizerImplBase() {
            @Override
            public void authorize(AuthorizeRequest request, StreamObserver<AuthorizeResponse> responses) {
                asked.add(request);
                switch (mode) {
                    case "slow" -> Thread.ofVirtual().start(() -> {
                        try {
                            release.await();
                            // Answers once released (too late for the short deadline; in time for a long one).
                            responses.onNext(AuthorizeResponse.newBuilder().setAllow(false).build());
                            responses.onCompleted();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } catch (RuntimeException e) {
                            // the call was cancelled by its deadline: nothing to answer
                        }
                    });
                    case "failing" -> responses.onError(Status.UNAVAILABLE.withDescription("down").asRuntimeException());
                    default -> {
                        boolean allow = request.getRoom().startsWith("team:7") || request.getUserId().equals("admin");
                        responses.onNext(AuthorizeResponse.newBuilder().setAllow(allow)
                                .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(60))
                                .setReason(allow ? "" : "not a member of " + request.getRoom()).build());
                        responses.onCompleted();
                    }
                }
            }
        }).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void stop() {
        release.countDown();
        channel.shutdownNow();
        server.shutdownNow();
    }

    private RoomAuthorizer authorizer(NamespacePolicies policies, CircuitBreakerConfig breaker) {
        return authorizer(policies, breaker, DEADLINE);
    }

    private RoomAuthorizer authorizer(NamespacePolicies policies, CircuitBreakerConfig breaker, Duration deadline) {
        registry = new PrometheusRegistry();
        AuthzMetrics metrics = new AuthzMetrics(registry);
        BackendChannel authorizerChannel = new BackendChannel("authorizer", "in-process", channel, deadline);
        BackendAuthorizer backend = new BackendAuthorizer(
                request -> authorizerChannel.unary(AuthorizerGrpc.getAuthorizeMethod(), request),
                new AuthzConfig.Backend("authz:9000", deadline, Duration.ofSeconds(30), Duration.ofSeconds(45), 1000),
                breaker, ticker, "gw-1", metrics);
        return new RoomAuthorizer(new RoomAccess(policies, DirectGrants.ANYONE), Optional.of(backend),
                Optional.empty(), metrics);
    }

    private RoomAuthorizer authorizer(boolean failOpen) {
        return authorizer(new NamespacePolicies(Map.of(
                "team", new NamespacePolicy(EnumSet.of(Verb.PRESENCE), true, failOpen),
                "public", new NamespacePolicy(EnumSet.of(Verb.SUBSCRIBE, Verb.HISTORY), false, false)),
                NamespacePolicy.NONE), BackendAuthorizer.defaultBreaker());
    }

    private static Verdict verdict(RoomAuthorizer a, Capabilities c, String user, String room, Verb verb) {
        return verdict(a, c, CLAIMS, user, room, verb);
    }

    private static Verdict verdict(RoomAuthorizer a, Capabilities c, Map<String, Object> claims, String user,
                                   String room, Verb verb) {
        return a.authorize(principal(c, claims, user, "s-1"), room, verb).orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static Principal principal(Capabilities c, Map<String, Object> claims, String user, String session) {
        return Principal.of(session, new VerifiedToken(user, Instant.parse("2030-01-01T00:00:00Z"), c, claims));
    }

    @Test
    void anInboxIsSubscribedAndReadByItsUserOnlyWhateverTokensPoliciesOrTheBackendSay() throws Exception {
        // Even a namespace that asks the backend, and a token granting every verb everywhere, change nothing.
        RoomAuthorizer a = authorizer(new NamespacePolicies(Map.of("inbox", new NamespacePolicy(EnumSet.allOf(Verb.class),
                true, true)), NamespacePolicy.NONE), BackendAuthorizer.defaultBreaker());
        Capabilities everything = Capabilities.fromClaims(Map.of("rooms", Map.of("*",
                List.of("subscribe", "publish", "history", "presence", "ephemeral"))));
        for (Capabilities token : List.of(Capabilities.NONE, everything)) {
            assertThat(verdict(a, token, "alice", "inbox:alice", Verb.SUBSCRIBE))
                    .isEqualTo(Verdict.allow(Verdict.Source.INBOX));
            assertThat(verdict(a, token, "alice", "inbox:alice", Verb.HISTORY).allowed()).isTrue();
            assertThat(verdict(a, token, "alice", "inbox:bob", Verb.SUBSCRIBE)).isEqualTo(Verdict.deny(
                    Verdict.Source.INBOX, "subscribe in inbox:bob: another user's inbox"));
            assertThat(verdict(a, token, "alice", "inbox:bob", Verb.HISTORY).allowed()).isFalse();
            assertThat(verdict(a, token, "alice", "inbox:alice", Verb.PUBLISH)).isEqualTo(Verdict.deny(
                    Verdict.Source.INBOX, "publish in inbox:alice: an inbox is written by stored direct messages only"));
            assertThat(verdict(a, token, "alice", "inbox:alice", Verb.PRESENCE).allowed()).isFalse();
            assertThat(verdict(a, token, "alice", "inbox:alice", Verb.EPHEMERAL).allowed()).isFalse();
        }
        assertThat(verdict(a, Capabilities.NONE, "a b", io.switchboard.proto.Inboxes.roomOf("a b"), Verb.SUBSCRIBE)
                .allowed()).isTrue();
        assertThat(asked).isEmpty();
    }

    @Test
    void tokenGrantsAndPoliciesDecideWithoutAskingTheBackend() throws Exception {
        RoomAuthorizer a = authorizer(false);
        Capabilities token = Capabilities.fromClaims(Map.of("rooms", Map.of("team:*", List.of("publish"))));
        assertThat(verdict(a, token, "alice", "team:9", Verb.PUBLISH)).isEqualTo(Verdict.allow(Verdict.Source.TOKEN));
        assertThat(verdict(a, Capabilities.NONE, "alice", "team:9", Verb.PRESENCE))
                .isEqualTo(Verdict.allow(Verdict.Source.POLICY));
        assertThat(verdict(a, Capabilities.NONE, "alice", "public:news", Verb.HISTORY).allowed()).isTrue();
        Verdict denied = verdict(a, Capabilities.NONE, "alice", "public:news", Verb.PUBLISH);
        assertThat(denied).isEqualTo(Verdict.deny(Verdict.Source.NO_GRANT, "publish in public:news: not granted"));
        assertThat(verdict(a, Capabilities.NONE, "alice", "lobby", Verb.SUBSCRIBE).allowed()).isFalse();
        assertThat(asked).isEmpty();
    }

    @Test
    void theBackendDecidesWhatNothingElseGrantsAndItsAnswerIsCachedForItsTtl() {
        RoomAuthorizer a = authorizer(false);
        assertThat(verdict(a, Capabilities.NONE, "alice", "team:7", Verb.PUBLISH))
                .isEqualTo(Verdict.allow(Verdict.Source.BACKEND));
        Verdict no = verdict(a, Capabilities.NONE, "alice", "team:8", Verb.SUBSCRIBE);
        assertThat(no).isEqualTo(Verdict.deny(Verdict.Source.BACKEND, "subscribe in team:8: not a member of team:8"));
        assertThat(asked).hasSize(2);
        AuthorizeRequest first = asked.get(0);
        assertThat(first.getUserId()).isEqualTo("alice");
        assertThat(first.getRoom()).isEqualTo("team:7");
        assertThat(first.getVerb()).isEqualTo(io.switchboard.proto.api.v1.Verb.VERB_PUBLISH);
        assertThat(first.getGatewayId()).isEqualTo("gw-1");
        assertThat(first.getSessionId()).isEqualTo("s-1");
        assertThat(first.getClaims().getFieldsMap().get("role").getStringValue()).isEqualTo("member");
        assertThat(first.getClaims().getFieldsMap().get("exp").getNumberValue()).isEqualTo(1.9e9);

        // Within the TTL (60 s answered, capped at max-ttl 45 s): answered from the cache, also with a new exp.
        nanos.addAndGet(Duration.ofSeconds(44).toNanos());
        Map<String, Object> refreshed = Map.of("sub", "alice", "role", "member", "exp", 1_900_003_600L);
        assertThat(verdict(a, Capabilities.NONE, refreshed, "alice", "team:7", Verb.PUBLISH).allowed()).isTrue();
        assertThat(verdict(a, Capabilities.NONE, "alice", "team:8", Verb.SUBSCRIBE).allowed()).isFalse();
        assertThat(asked).hasSize(2);
        // Other claims, another verb or another user: asked again.
        verdict(a, Capabilities.NONE, Map.of("sub", "alice", "role", "guest"), "alice", "team:7", Verb.PUBLISH);
        verdict(a, Capabilities.NONE, "alice", "team:7", Verb.HISTORY);
        verdict(a, Capabilities.NONE, "bob", "team:7", Verb.PUBLISH);
        assertThat(asked).hasSize(5);
        // Past the TTL: asked again.
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        verdict(a, Capabilities.NONE, "alice", "team:7", Verb.PUBLISH);
        assertThat(asked).hasSize(6);
    }

    @Test
    void concurrentAsksForOneKeyShareOneCall() {
        mode = "slow";
        // A deadline no machine reaches while the three asks are made; the backend answers once released.
        RoomAuthorizer a = authorizer(new NamespacePolicies(Map.of("team", new NamespacePolicy(Set.of(), true, false)),
                NamespacePolicy.NONE), BackendAuthorizer.defaultBreaker(), Duration.ofMinutes(1));
        List<CompletableFuture<Verdict>> pending = List.of(
                a.authorize(principal(Capabilities.NONE, CLAIMS, "alice", "s-1"), "team:7", Verb.PUBLISH),
                a.authorize(principal(Capabilities.NONE, CLAIMS, "alice", "s-2"), "team:7", Verb.PUBLISH),
                a.authorize(principal(Capabilities.NONE, CLAIMS, "alice", "s-3"), "team:7", Verb.PUBLISH));
        assertThat(pending).noneMatch(CompletableFuture::isDone);
        release.countDown();
        pending.forEach(f -> assertThat(f.orTimeout(10, TimeUnit.SECONDS).join().allowed()).isFalse());
        assertThat(asked).hasSize(1);
    }

    @Test
    void aBackendThatDoesNotAnswerInTimeFailsClosedUnlessTheNamespaceFailsOpen() {
        mode = "slow";
        Verdict closed = verdict(authorizer(false), Capabilities.NONE, "alice", "team:7", Verb.PUBLISH);
        assertThat(closed).isEqualTo(Verdict.deny(Verdict.Source.BACKEND_UNAVAILABLE,
                "publish in team:7: authorization backend unavailable; retry later"));
        Verdict open = verdict(authorizer(true), Capabilities.NONE, "alice", "team:7", Verb.PUBLISH);
        assertThat(open).isEqualTo(Verdict.allow(Verdict.Source.BACKEND_UNAVAILABLE));
        // A failure is not cached: the next ask calls again.
        mode = "rule";
        RoomAuthorizer a = authorizer(false);
        mode = "failing";
        assertThat(verdict(a, Capabilities.NONE, "alice", "team:7", Verb.PUBLISH).allowed()).isFalse();
        mode = "rule";
        assertThat(verdict(a, Capabilities.NONE, "alice", "team:7", Verb.PUBLISH).allowed()).isTrue();
    }

    @Test
    void anOpenBreakerStopsCallingTheBackend() throws Exception {
        mode = "failing";
        RoomAuthorizer a = authorizer(new NamespacePolicies(Map.of("team", new NamespacePolicy(EnumSet.noneOf(Verb.class),
                true, false)), NamespacePolicy.NONE), CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED).slidingWindowSize(4)
                .minimumNumberOfCalls(4).failureRateThreshold(50).waitDurationInOpenState(Duration.ofHours(1))
                .build());
        for (int i = 0; i < 10; i++) {
            // different rooms, so that no answer could come from a cache
            assertThat(verdict(a, Capabilities.NONE, "alice", "team:" + i, Verb.PUBLISH).source())
                    .isEqualTo(Verdict.Source.BACKEND_UNAVAILABLE);
        }
        assertThat(asked).hasSize(4);
        assertThat(metric("gateway_authz_backend_calls_total{outcome=\"breaker_open\"}")).isEqualTo(6);
        assertThat(metric("gateway_authz_backend_calls_total{outcome=\"error\"}")).isEqualTo(4);
        assertThat(metric("gateway_authz_decisions_total{result=\"deny\",source=\"backend_unavailable\"}"))
                .isEqualTo(10);
    }

    private double metric(String sample) throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create().write(out, registry.scrape());
        for (String line : out.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim());
            }
        }
        return 0;
    }
}
