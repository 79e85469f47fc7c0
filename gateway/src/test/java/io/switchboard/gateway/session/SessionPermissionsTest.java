package io.switchboard.gateway.session;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.google.protobuf.ByteString;
import io.switchboard.auth.capability.DirectGrants;
import io.switchboard.auth.capability.NamespacePolicies;
import io.switchboard.auth.capability.NamespacePolicy;
import io.switchboard.auth.capability.Verb;
import io.switchboard.gateway.authz.AuthzConfig;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.DirectMessage;
import io.switchboard.proto.client.v1.Error;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.RefreshToken;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Room permissions inside a session, through the frames its connection gets: refusals name the room and verb and
 * take nothing else away; a request that waits for the application's backend (a real gRPC server whose answers the
 * test holds) holds back the requests after it, never the reader; a refreshed token ends exactly the subscriptions
 * it no longer allows; a backend's SubscribeUser / UnsubscribeUser need no grant.
 */
class SessionPermissionsTest {
    /** Namespace {@code team} asks the backend; {@code news} lets everyone subscribe and page history. */
    private static NamespacePolicies policies() {
        return new NamespacePolicies(Map.of(
                "team", new NamespacePolicy(Set.of(), true, false),
                "news", new NamespacePolicy(EnumSet.of(Verb.SUBSCRIBE, Verb.HISTORY), false, false)),
                NamespacePolicy.NONE);
    }

    private HeldAuthorizer backend;
    private SessionHarness gateway;

    @BeforeEach
    void start() throws Exception {
        backend = new HeldAuthorizer();
        gateway = harness(Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            gateway.close();
        } finally {
            backend.close();
        }
    }

    private SessionHarness harness(Duration backendTimeout) {
        AuthzConfig authz = new AuthzConfig(policies(), DirectGrants.ANYONE, Optional.of(new AuthzConfig.Backend(
                backend.address(), backendTimeout, Duration.ofSeconds(30), Duration.ofMinutes(10), 1000)));
        Map<String, Object> narrow = Map.of("rooms", Map.of(
                "lobby", TestVerbs.ALL, "chat:1", TestVerbs.ALL, "chat:3", List.of("subscribe")));
        return new SessionHarness(SessionHarness.settings(), authz, Map.of(
                "alice-narrow", SessionHarness.token("alice", SessionHarness.TOKEN_EXPIRY, narrow),
                "dora", SessionHarness.token("dora", SessionHarness.TOKEN_EXPIRY,
                        Map.of("rooms", Map.of("lobby", TestVerbs.ALL), "direct", List.of("bob")))));
    }

    /** Every verb's name, as the rooms claim spells them. */
    private static final class TestVerbs {
        static final List<String> ALL = java.util.Arrays.stream(Verb.values()).map(Verb::wireName).toList();
    }

    private static ClientFrame subscribe(int requestId, String room, boolean presence) {
        return ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(requestId).setRoom(room)
                .setPresence(presence)).build();
    }

    private static ClientFrame publish(int requestId, String room) {
        return ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(requestId).setRoom(room)
                .setId("m-" + requestId).setPayload(ByteString.copyFromUtf8("hi")).setAck(true)).build();
    }

    private static Error errorOf(SessionHarness.Connection c, int requestId) {
        return c.awaitFrame(f -> f.hasError() && f.getError().getRequestId() == requestId).getError();
    }

    @Test
    void aRefusalNamesTheRoomAndVerbAndTheConnectionKeepsItsSubscriptions() {
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.send(subscribe(1, "lobby", false));
        c.awaitFrame(ServerFrame::hasSubscribed);

        c.send(subscribe(2, "secret", false));
        c.send(publish(3, "secret"));
        c.send(ClientFrame.newBuilder().setHistory(HistoryRequest.newBuilder().setRequestId(4).setRoom("secret"))
                .build());
        c.send(subscribe(5, "news:today", true)); // the policy gives subscribe, not presence
        c.send(subscribe(6, "news:today", false));

        assertThat(errorOf(c, 2)).isEqualTo(Error.newBuilder().setRequestId(2).setCode(ErrorCode.PERMISSION_DENIED)
                .setMessage("subscribe in secret: not granted").setRoom("secret").build());
        assertThat(errorOf(c, 3).getMessage()).isEqualTo("publish in secret: not granted");
        assertThat(errorOf(c, 4).getMessage()).isEqualTo("history in secret: not granted");
        assertThat(errorOf(c, 5).getMessage()).isEqualTo("presence in news:today: not granted");
        assertThat(c.awaitFrame(f -> f.hasSubscribed() && f.getSubscribed().getRequestId() == 6)
                .getSubscribed().getRoom()).isEqualTo("news:today");
        assertThat(gateway.router.publishes).isEmpty();
        assertThat(backend.waiting()).isZero();

        gateway.handOver.deliver("lobby", 7);
        assertThat(c.awaitFrame(ServerFrame::hasMessage).getMessage().getRoom()).isEqualTo("lobby");
        assertThat(c.sink().closed()).isNull();
        assertThat(gateway.registry.subscribers("secret")).isEmpty();
    }

    @Test
    void aPublishAfterASubscribeThatAsksTheBackendWaitsForItsAnswer() throws Exception {
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.send(subscribe(1, "team:blue", false));
        c.send(publish(2, "team:blue"));
        // Both sends returned: had the publish not waited, it would have reached the router inside send().
        assertThat(gateway.router.publishes).isEmpty();

        HeldAuthorizer.Call subscribe = backend.next();
        assertThat(subscribe.request().getRoom()).isEqualTo("team:blue");
        assertThat(subscribe.request().getVerb()).isEqualTo(io.switchboard.proto.api.v1.Verb.VERB_SUBSCRIBE);
        assertThat(subscribe.request().getUserId()).isEqualTo("alice");
        assertThat(subscribe.request().getSessionId()).isEqualTo(c.session().sessionId());
        subscribe.allow().complete(true);
        HeldAuthorizer.Call publish = backend.next();
        assertThat(publish.request().getVerb()).isEqualTo(io.switchboard.proto.api.v1.Verb.VERB_PUBLISH);
        assertThat(gateway.router.publishes).isEmpty();
        publish.allow().complete(true);

        assertThat(gateway.router.nextPublish().request().getRoom()).isEqualTo("team:blue");
        // Sent only after the subscription exists, so the publisher receives its own message.
        assertThat(gateway.registry.subscribers("team:blue")).hasSize(1);
    }

    @Test
    void aBackendDenialIsPermissionDeniedWithTheBackendsReason() throws Exception {
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.send(subscribe(1, "team:red", false));
        backend.next().allow().complete(false);

        Error denied = errorOf(c, 1);
        assertThat(denied.getCode()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(denied.getMessage()).isEqualTo("subscribe in team:red: not a member");
        assertThat(denied.getRetriable()).isFalse();
        // The answer is cached for its TTL: asking again decides without a call.
        c.send(subscribe(2, "team:red", false));
        assertThat(errorOf(c, 2).getCode()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(backend.waiting()).isZero();
    }

    @Test
    void aBackendThatDoesNotAnswerInTimeRefusesWithARetriableUnavailable() throws Exception {
        gateway.close();
        gateway = harness(Duration.ofMillis(200));
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.send(subscribe(1, "team:slow", false));
        c.send(subscribe(2, "lobby", false));
        // The backend holds the call, if it gets it at all: on a loaded machine the 200 ms deadline may pass before
        // the call reaches it. Either way the gateway does not hear back in time.

        Error unavailable = errorOf(c, 1);
        assertThat(unavailable.getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(unavailable.getRetriable()).isTrue();
        assertThat(unavailable.getMessage())
                .isEqualTo("subscribe in team:slow: authorization backend unavailable; retry later");
        // The request after it ran once the first was decided, and in order.
        List<ServerFrame> frames = c.awaitFrames(3);
        assertThat(frames.get(1).hasError()).isTrue();
        assertThat(frames.get(2).getSubscribed().getRequestId()).isEqualTo(2);
    }

    @Test
    void requestsBeyondWhatMayWaitForAnAnswerAreRefusedRateLimited() throws Exception {
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.send(subscribe(1, "team:busy", false));
        for (int i = 0; i < RequestLane.MAX_WAITING; i++) {
            c.send(publish(100 + i, "lobby"));
        }
        c.send(publish(99, "lobby"));

        Error refused = errorOf(c, 99);
        assertThat(refused.getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(refused.getRetriable()).isTrue();
        backend.next().allow().complete(true);
        c.awaitFrame(f -> f.hasSubscribed() && f.getSubscribed().getRequestId() == 1);
        for (int i = 0; i < SessionHarness.settings().maxInflightPublishes(); i++) {
            assertThat(gateway.router.nextPublish().request().getId()).isEqualTo("m-" + (100 + i));
        }
    }

    @Test
    void aNarrowedTokenOnRefreshEndsExactlyTheSubscriptionsItNoLongerAllows() {
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.send(subscribe(1, "lobby", true));
        c.send(subscribe(2, "chat:1", false));
        c.send(subscribe(3, "chat:2", false));
        c.send(subscribe(4, "chat:3", true));
        c.session().serverSubscribe("vip:1", false);
        c.awaitFrame(f -> f.hasSubscribed() && f.getSubscribed().getServerSide());
        assertThat(c.sink().frames()).filteredOn(ServerFrame::hasSubscribed).hasSize(5);

        c.send(ClientFrame.newBuilder().setRefresh(RefreshToken.newBuilder().setRequestId(9).setToken("alice-narrow"))
                .build());

        ServerFrame ack = c.awaitFrame(f -> f.hasAck() && f.getAck().getRequestId() == 9);
        List<ServerFrame> ended = c.sink().frames().stream().filter(ServerFrame::hasUnsubscribed).toList();
        assertThat(ended).extracting(f -> f.getUnsubscribed().getRoom()).containsExactlyInAnyOrder("chat:2", "chat:3");
        assertThat(ended).allSatisfy(f -> {
            assertThat(f.getUnsubscribed().getRequestId()).isZero();
            assertThat(f.getUnsubscribed().getReason()).isEqualTo(ErrorCode.PERMISSION_REVOKED);
        });
        assertThat(ended).extracting(f -> f.getUnsubscribed().getMessage()).containsExactlyInAnyOrder(
                "subscribe in chat:2: not granted", "presence in chat:3: not granted");
        // The ack comes after the ends, so a client knows its subscriptions are settled when it reads the ack.
        assertThat(c.sink().frames().indexOf(ack)).isGreaterThan(c.sink().frames().indexOf(ended.getLast()));
        for (String kept : List.of("lobby", "chat:1", "vip:1")) {
            assertThat(gateway.registry.subscribers(kept)).as(kept).hasSize(1);
        }
        assertThat(gateway.registry.subscribers("chat:2")).isEmpty();
        assertThat(gateway.registry.subscribers("chat:3")).isEmpty();

        c.send(publish(10, "chat:2"));
        assertThat(errorOf(c, 10).getCode()).isEqualTo(ErrorCode.PERMISSION_DENIED);
    }

    @Test
    void aBackendsSubscribeUserNeedsNoGrantAndItsUnsubscribeUserEndsTheSubscription() {
        SessionHarness.Connection c = gateway.connectAs("alice");

        c.session().serverSubscribe("team:vip", true);
        c.session().serverSubscribe("team:vip", true); // already subscribed: nothing new
        c.session().serverSubscribe("bad room", false);

        ServerFrame subscribed = c.awaitFrame(ServerFrame::hasSubscribed);
        assertThat(subscribed.getSubscribed().getRequestId()).isZero();
        assertThat(subscribed.getSubscribed().getServerSide()).isTrue();
        assertThat(subscribed.getSubscribed().getPresence()).isTrue();
        assertThat(subscribed.getSubscribed().getRoom()).isEqualTo("team:vip");
        assertThat(subscribed.getSubscribed().getEpoch()).isEqualTo(gateway.layout.epochOf("team:vip"));
        assertThat(errorOf(c, 0).getCode()).isEqualTo(ErrorCode.INVALID_ROOM);
        assertThat(backend.waiting()).isZero();
        gateway.handOver.deliver("team:vip", 3);
        assertThat(c.awaitFrame(ServerFrame::hasMessage).getMessage().getRoom()).isEqualTo("team:vip");

        c.session().serverUnsubscribe("team:vip", "moved to another team");

        ServerFrame ended = c.awaitFrame(ServerFrame::hasUnsubscribed);
        assertThat(ended.getUnsubscribed().getRequestId()).isZero();
        assertThat(ended.getUnsubscribed().getReason()).isEqualTo(ErrorCode.SERVER_UNSUBSCRIBED);
        assertThat(ended.getUnsubscribed().getMessage()).isEqualTo("moved to another team");
        assertThat(gateway.registry.subscribers("team:vip")).isEmpty();
        assertThat(c.sink().frames()).filteredOn(ServerFrame::hasSubscribed).hasSize(1);
    }

    @Test
    void directMessagesFollowTheDirectClaimElseTheGatewaysDefault() throws Exception {
        SessionHarness.Connection dora = gateway.connectAs("dora");
        SessionHarness.Connection alice = gateway.connectAs("alice");

        dora.send(direct(1, "carol"));
        Error denied = errorOf(dora, 1);
        assertThat(denied.getCode()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(denied.getMessage()).isEqualTo("direct message to carol: not granted");
        dora.send(direct(2, "bob"));
        assertThat(nextDirect().getUserId()).isEqualTo("bob");
        alice.send(direct(3, "carol")); // no direct claim: the default lets anyone be messaged
        assertThat(nextDirect().getUserId()).isEqualTo("carol");
    }

    private io.switchboard.proto.internal.v1.SendToUserRequest nextDirect() throws InterruptedException {
        var call = gateway.router.directs.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(call).as("a direct message reached the router").isNotNull();
        return call.request();
    }

    private static ClientFrame direct(int requestId, String user) {
        return ClientFrame.newBuilder().setDirect(DirectMessage.newBuilder().setRequestId(requestId).setUserId(user)
                .setId("dm-" + requestId).setPayload(ByteString.copyFromUtf8("hi"))).build();
    }
}
