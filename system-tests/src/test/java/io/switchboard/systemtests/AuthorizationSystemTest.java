package io.switchboard.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.switchboard.client.RoomListener;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.api.v1.AuthorizeRequest;
import io.switchboard.proto.api.v1.AuthorizeResponse;
import io.switchboard.proto.api.v1.SubscribeUserRequest;
import io.switchboard.proto.api.v1.UnsubscribeUserRequest;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.DirectMessage;
import io.switchboard.proto.client.v1.Ephemeral;
import io.switchboard.proto.client.v1.Error;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.RefreshToken;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.proto.client.v1.Unsubscribed;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestAuthorizer;
import io.switchboard.testkit.TestTokens;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may do what in which room, end to end on one cluster (two gateways, router with the public API, presence,
 * history) whose gateways ask a real gRPC Authorizer for namespace {@code team}: every verb (subscribe, publish,
 * history, presence, ephemeral) granted by the token, denied, granted by a namespace policy ({@code pub}), allowed
 * by the backend, denied by it and not answered by it in time, on both subprotocols, with the effect seen from the
 * other gateway; direct messages by the {@code direct} claim and the gateway's default; a denied client keeps its
 * other subscriptions; a narrowed token on refresh ends exactly what it no longer allows; and a backend's
 * SubscribeUser / UnsubscribeUser reach every connection of a user, through the protocol and the Java SDK.
 */
class AuthorizationSystemTest {
    private static final List<String> ALL = TestTokens.ALL_VERBS;
    /** What the subject's token grants: its own rooms, and subscribe (only) where another verb is under test. */
    private static final Map<String, List<String>> SUBJECT_GRANTS = grants();
    private static final AtomicInteger CASES = new AtomicInteger();

    private static TestAuthorizer authorizer;
    private static LocalCluster cluster;
    private static ManagedChannel channel;
    private static ServiceApi api;

    private static Map<String, List<String>> grants() {
        Map<String, List<String>> g = new LinkedHashMap<>();
        g.put("tok:*", ALL);
        for (String verb : List.of("presence", "ephemeral")) {
            // A presence query or an ephemeral event needs a subscription: the token gives it, the verb is tested.
            g.put("closed:" + verb + "-*", List.of("subscribe"));
            g.put("team:" + verb + "-*", List.of("subscribe"));
        }
        return g;
    }

    @BeforeAll
    static void start() {
        authorizer = TestAuthorizer.start(AuthorizationSystemTest::byRoomName);
        cluster = SystemCluster.builder(true)
                .set("gateway.authz.namespaces.pub.verbs", String.join(",", ALL))
                .set("gateway.authz.namespaces.team.backend", "true")
                .set("gateway.authz.backend.address", authorizer.address())
                .set("gateway.authz.backend.timeout", "PT1S")
                .build()
                .start();
        channel = SystemCluster.routerChannel(cluster, 0);
        api = new ServiceApi(channel, SystemCluster.serviceToken("authz-test", "publish read control"));
        // Open each gateway's channel to the Authorizer before the first timed case.
        for (int g = 0; g < 2; g++) {
            try (Peer warm = Peer.connect(cluster.webSocketUri(g), "warm-up", subjectToken("warm-up"))) {
                warm.subscribe("team:warm-up-allow-" + g, false);
            }
        }
    }

    @AfterAll
    static void stop() {
        SystemCluster.shutdown(channel);
        if (cluster != null) {
            cluster.close();
        }
        if (authorizer != null) {
            authorizer.close();
        }
    }

    /**
     * The application's rule: a room whose name contains {@code allow} is allowed, one containing {@code deny} is
     * denied ("not a member of ROOM"), and one containing {@code slow} is never answered.
     */
    private static CompletableFuture<AuthorizeResponse> byRoomName(AuthorizeRequest request) {
        String room = request.getRoom();
        if (room.contains("slow")) {
            return new CompletableFuture<>();
        }
        boolean allow = room.contains("allow");
        return CompletableFuture.completedFuture(AuthorizeResponse.newBuilder().setAllow(allow)
                .setReason(allow ? "" : "not a member of " + room).build());
    }

    private static String subjectToken(String user) {
        return SystemCluster.USERS.token(user, TestTokens.rooms(SUBJECT_GRANTS));
    }

    /** A trusted user on the other gateway who sees the effect of what the subject may do. */
    private static Peer observer(int gateway, String user) {
        return Peer.connect(cluster.webSocketUri(gateway), Subprotocol.PROTO, user,
                SystemCluster.USERS.token(user, "*"));
    }

    // ------------------------------------------------------------------ the matrix

    enum Source {
        TOKEN, DENIED, POLICY, BACKEND_ALLOWS, BACKEND_DENIES, BACKEND_TIMES_OUT;

        String room(String verb, String suffix) {
            return switch (this) {
                case TOKEN -> "tok:" + verb + "-" + suffix;
                case DENIED -> "closed:" + verb + "-" + suffix;
                case POLICY -> "pub:" + verb + "-" + suffix;
                case BACKEND_ALLOWS -> "team:" + verb + "-allow-" + suffix;
                case BACKEND_DENIES -> "team:" + verb + "-deny-" + suffix;
                case BACKEND_TIMES_OUT -> "team:" + verb + "-slow-" + suffix;
            };
        }

        boolean allows() {
            return this == TOKEN || this == POLICY || this == BACKEND_ALLOWS;
        }

        /** The refusal the client gets: code and message (after "VERB in ROOM: "). */
        Error refusal(int requestId, String verb, String room) {
            String why = switch (this) {
                case DENIED -> "not granted";
                case BACKEND_DENIES -> "not a member of " + room;
                case BACKEND_TIMES_OUT -> "authorization backend unavailable; retry later";
                default -> throw new IllegalStateException(this + " allows");
            };
            ErrorCode code = this == BACKEND_TIMES_OUT ? ErrorCode.UNAVAILABLE : ErrorCode.PERMISSION_DENIED;
            return Error.newBuilder().setRequestId(requestId).setCode(code).setMessage(verb + " in " + room + ": " + why)
                    .setRetriable(this == BACKEND_TIMES_OUT).setRoom(room).build();
        }
    }

    /** Verb-major, so that no run of backend calls is mostly timeouts (which would open the circuit breaker). */
    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Subprotocol p : Subprotocol.values()) {
            for (String verb : ALL) {
                for (Source source : Source.values()) {
                    all.add(Arguments.of(verb, source, p));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} ({2})")
    @MethodSource("cases")
    void eachVerbIsDecidedByItsSource(String verb, Source source, Subprotocol p) {
        int n = CASES.incrementAndGet();
        String room = source.room(verb, p.name().toLowerCase(Locale.ROOT) + "-" + n);
        // The subject on one gateway, the observer on the other (alternating by subprotocol).
        int home = p == Subprotocol.JSON ? 0 : 1;
        String user = "subject-" + n;
        try (Peer subject = Peer.connect(cluster.webSocketUri(home), p, user, subjectToken(user));
             Peer observer = observer(1 - home, "observer-" + n)) {
            int requestId = subject.nextRequestId();
            ServerFrame reply = switch (verb) {
                case "subscribe" -> {
                    subject.send(subscribe(requestId, room));
                    ServerFrame r = subject.reply(requestId);
                    if (r.hasSubscribed()) {
                        // Subscribed: what is published from the other gateway now reaches the subject.
                        publishAndAwait(observer, room, "to-" + user, subject);
                    }
                    yield r;
                }
                case "publish" -> {
                    observer.subscribe(room, false);
                    subject.send(publish(requestId, room, "from-" + user));
                    ServerFrame r = subject.reply(requestId);
                    if (r.hasAck()) {
                        observer.awaitFrame(f -> f.hasMessage() && f.getMessage().getId().equals("from-" + user));
                    }
                    yield r;
                }
                case "history" -> {
                    subject.send(ClientFrame.newBuilder().setHistory(HistoryRequest.newBuilder().setRequestId(requestId)
                            .setRoom(room).setLimit(10)).build());
                    yield subject.reply(requestId);
                }
                case "presence" -> {
                    subject.subscribe(room, false);
                    subject.send(ClientFrame.newBuilder().setPresence(PresenceQuery.newBuilder()
                            .setRequestId(requestId).setRoom(room)).build());
                    yield subject.reply(requestId);
                }
                case "ephemeral" -> {
                    subject.subscribe(room, false);
                    observer.subscribe(room, false);
                    subject.send(ClientFrame.newBuilder().setEphemeral(Ephemeral.newBuilder().setRequestId(requestId)
                            .setRoom(room).setKind("typing")).build());
                    if (source.allows()) {
                        // Success has no reply: the event reaches the room's other subscriber.
                        yield observer.awaitFrame(f -> f.hasEphemeral() && f.getEphemeral().getSender().equals(user));
                    }
                    yield subject.reply(requestId);
                }
                default -> throw new IllegalArgumentException(verb);
            };

            if (source.allows()) {
                assertThat(reply.hasError()).as("%s in %s: %s", verb, room, reply).isFalse();
                assertThat(reply.getFrameCase()).isEqualTo(switch (verb) {
                    case "subscribe" -> ServerFrame.FrameCase.SUBSCRIBED;
                    case "publish" -> ServerFrame.FrameCase.ACK;
                    case "history" -> ServerFrame.FrameCase.HISTORY_PAGE;
                    case "presence" -> ServerFrame.FrameCase.PRESENCE_PAGE;
                    default -> ServerFrame.FrameCase.EPHEMERAL;
                });
            } else {
                assertThat(reply.getError()).isEqualTo(source.refusal(requestId, verb, room));
            }
            assertThat(subject.ws().isOpen()).isTrue();
            boolean asked = authorizer.asked().stream().anyMatch(r -> r.getRoom().equals(room)
                    && r.getVerb().name().equals("VERB_" + verb.toUpperCase(Locale.ROOT)));
            assertThat(asked).as("the backend was asked about %s in %s", verb, room)
                    .isEqualTo(source.name().startsWith("BACKEND"));
        }
    }

    @Test
    void theBackendIsAskedWithTheUserTheVerbAndTheTokensClaims() {
        String room = "team:claims-allow-" + CASES.incrementAndGet();
        try (Peer subject = Peer.connect(cluster.webSocketUri(0), Subprotocol.JSON, "claims-user",
                SystemCluster.USERS.token("claims-user", c -> c.claim("teams", List.of("blue"))))) {
            subject.subscribe(room, true);
        }
        List<AuthorizeRequest> asked = authorizer.asked().stream().filter(r -> r.getRoom().equals(room)).toList();
        assertThat(asked).extracting(r -> r.getVerb().name()).containsExactly("VERB_SUBSCRIBE", "VERB_PRESENCE");
        AuthorizeRequest first = asked.getFirst();
        assertThat(first.getUserId()).isEqualTo("claims-user");
        assertThat(first.getGatewayId()).isEqualTo(cluster.gateway(0).gatewayId());
        assertThat(first.getClaims().getFieldsMap().get("teams").getListValue().getValues(0).getStringValue())
                .isEqualTo("blue");
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void aDeniedClientKeepsItsOtherSubscriptionsAndItsConnection(Subprotocol p) {
        int n = CASES.incrementAndGet();
        String home = "tok:home-" + n;
        try (Peer subject = Peer.connect(cluster.webSocketUri(0), p, "keeper-" + n, subjectToken("keeper-" + n));
             Peer observer = observer(1, "witness-" + n)) {
            subject.subscribe(home, true);
            for (ClientFrame refused : List.of(subscribe(subject.nextRequestId(), "closed:a-" + n),
                    publish(subject.nextRequestId(), "closed:b-" + n, "x-" + n),
                    subscribe(subject.nextRequestId(), "team:keep-deny-" + n))) {
                subject.send(refused);
            }
            await().atMost(Peer.WAIT).until(() -> subject.all(ServerFrame::hasError).size() == 3);
            assertThat(subject.all(ServerFrame::hasError)).extracting(f -> f.getError().getCode())
                    .containsOnly(ErrorCode.PERMISSION_DENIED);

            publishAndAwait(observer, home, "after-denials-" + n, subject);
            assertThat(subject.ws().isOpen()).isTrue();
            assertThat(subject.all(ServerFrame::hasUnsubscribed)).isEmpty();
        }
    }

    // ------------------------------------------------------------------ direct messages

    enum Direct { CLAIM_ALLOWS, CLAIM_DENIES, DEFAULT_ALLOWS }

    static Stream<Arguments> directCases() {
        return Stream.of(Subprotocol.values())
                .flatMap(p -> Stream.of(Direct.values()).map(d -> Arguments.of(d, p)));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("directCases")
    void directMessagesFollowTheDirectClaimElseTheGatewaysDefault(Direct rule, Subprotocol p) {
        int n = CASES.incrementAndGet();
        String target = "target-" + n;
        String token = switch (rule) {
            case CLAIM_ALLOWS -> SystemCluster.USERS.token("sender-" + n, TestTokens.direct("target-*"));
            case CLAIM_DENIES -> SystemCluster.USERS.token("sender-" + n, TestTokens.direct("support-*"));
            case DEFAULT_ALLOWS -> SystemCluster.USERS.token("sender-" + n);
        };
        try (Peer sender = Peer.connect(cluster.webSocketUri(0), p, "sender-" + n, token);
             Peer receiver = observer(1, target)) {
            await().atMost(Peer.WAIT).until(() -> api.connections(target) == 1);
            int id = sender.nextRequestId();
            sender.send(ClientFrame.newBuilder().setDirect(DirectMessage.newBuilder().setRequestId(id).setUserId(target)
                    .setId("dm-" + n).setPayload(ByteString.copyFromUtf8("hi"))).build());
            ServerFrame reply = sender.reply(id);
            if (rule == Direct.CLAIM_DENIES) {
                assertThat(reply.getError().getCode()).isEqualTo(ErrorCode.PERMISSION_DENIED);
                assertThat(reply.getError().getMessage()).isEqualTo("direct message to " + target + ": not granted");
            } else {
                assertThat(reply.getAck().getDevices()).as(reply.toString()).isEqualTo(1);
                assertThat(receiver.awaitFrame(ServerFrame::hasUserMessage).getUserMessage().getId())
                        .isEqualTo("dm-" + n);
            }
        }
    }

    // ------------------------------------------------------------------ refresh

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void aNarrowedTokenOnRefreshEndsExactlyTheSubscriptionsItNoLongerAllows(Subprotocol p) {
        int n = CASES.incrementAndGet();
        String user = "narrowed-" + n;
        String keep = "tok:keep-" + n;
        String drop = "tok:drop-" + n;
        String dropPresence = "tok:quiet-" + n;
        String policy = "pub:open-" + n;
        String backend = "team:refresh-allow-" + n;
        String server = "vip:granted-" + n;
        try (Peer subject = Peer.connect(cluster.webSocketUri(1), p, user,
                SystemCluster.USERS.token(user, TestTokens.rooms(Map.of(
                        keep, ALL, drop, ALL, dropPresence, ALL)))); Peer observer = observer(0, "watcher-" + n)) {
            subject.subscribe(keep, false);
            subject.subscribe(drop, false);
            subject.subscribe(dropPresence, true);
            subject.subscribe(policy, false);
            subject.subscribe(backend, false);
            await().atMost(Peer.WAIT).until(() -> api.connections(user) == 1);
            api.blocking().subscribeUser(SubscribeUserRequest.newBuilder().setUserId(user).setRoom(server).build());
            subject.awaitFrame(f -> f.hasSubscribed() && f.getSubscribed().getRoom().equals(server));

            int id = subject.nextRequestId();
            // The new token keeps `keep` and `dropPresence` but only for subscribe (no presence events).
            subject.send(ClientFrame.newBuilder().setRefresh(RefreshToken.newBuilder().setRequestId(id)
                    .setToken(SystemCluster.USERS.token(user, TestTokens.rooms(Map.of(
                            keep, ALL, dropPresence, List.of("subscribe")))))).build());
            assertThat(subject.reply(id).hasAck()).isTrue();

            List<Unsubscribed> ended = subject.all(ServerFrame::hasUnsubscribed).stream()
                    .map(ServerFrame::getUnsubscribed).toList();
            assertThat(ended).extracting(Unsubscribed::getRoom).containsExactlyInAnyOrder(drop, dropPresence);
            assertThat(ended).allSatisfy(u -> {
                assertThat(u.getRequestId()).isZero();
                assertThat(u.getReason()).isEqualTo(ErrorCode.PERMISSION_REVOKED);
            });
            assertThat(ended).extracting(Unsubscribed::getMessage).containsExactlyInAnyOrder(
                    "subscribe in " + drop + ": not granted", "presence in " + dropPresence + ": not granted");
            for (String room : List.of(keep, policy, backend, server)) {
                publishAndAwait(observer, room, "still-" + room.replace(':', '-'), subject);
            }
            int again = subject.nextRequestId();
            subject.send(publish(again, drop, "no-longer-" + n));
            assertThat(subject.reply(again).getError().getCode()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        }
    }

    // ------------------------------------------------------------------ server-side subscriptions

    @Test
    void subscribeUserReachesEveryConnectionOfTheUserAndUnsubscribeUserEndsThem() {
        int n = CASES.incrementAndGet();
        String user = "vip-" + n;
        String room = "vip:lounge-" + n;
        // The user's token grants nothing in vip: only the backend's SubscribeUser gets them in.
        String token = SystemCluster.USERS.token(user, "tok:*");
        List<String> sdkEvents = new CopyOnWriteArrayList<>();
        try (Peer json = Peer.connect(cluster.webSocketUri(0), Subprotocol.JSON, user, token);
             Peer proto = Peer.connect(cluster.webSocketUri(1), Subprotocol.PROTO, user, token);
             Peer observer = observer(0, "host-" + n);
             SwitchboardClient sdk = SwitchboardClient.builder().url(cluster.webSocketUri(1))
                     .tokenProvider(() -> CompletableFuture.completedFuture(token))
                     .serverSubscriptions((subscription, subscribed) -> {
                         sdkEvents.add("subscribed " + subscribed.getRoom());
                         return new RoomListener() {
                             @Override
                             public void onMessage(Message message) {
                                 sdkEvents.add("message " + message.getId());
                             }

                             @Override
                             public void onClosed(ErrorCode reason, String message) {
                                 sdkEvents.add("closed " + reason + " " + message);
                             }
                         };
                     }).build()) {
            sdk.connect().join();
            await().atMost(Peer.WAIT).until(() -> api.connections(user) == 3);

            assertThat(api.blocking().subscribeUser(SubscribeUserRequest.newBuilder().setUserId(user).setRoom(room)
                    .setPresence(true).build()).getConnections()).isEqualTo(3);

            for (Peer peer : List.of(json, proto)) {
                Subscribed s = peer.awaitFrame(f -> f.hasSubscribed() && f.getSubscribed().getRoom().equals(room))
                        .getSubscribed();
                assertThat(s.getRequestId()).isZero();
                assertThat(s.getServerSide()).isTrue();
                assertThat(s.getPresence()).isTrue();
            }
            await().atMost(Peer.WAIT).until(() -> sdkEvents.contains("subscribed " + room));
            publishAndAwait(observer, room, "welcome-" + n, json);
            proto.awaitFrame(f -> f.hasMessage() && f.getMessage().getId().equals("welcome-" + n));
            await().atMost(Peer.WAIT).until(() -> sdkEvents.contains("message welcome-" + n));

            // One connection only, by session id; then every other one.
            api.blocking().unsubscribeUser(UnsubscribeUserRequest.newBuilder().setUserId(user).setRoom(room)
                    .setSessionId(proto.sessionId()).setReason("left the lounge").build());
            Unsubscribed ended = proto.awaitFrame(ServerFrame::hasUnsubscribed).getUnsubscribed();
            assertThat(ended.getRequestId()).isZero();
            assertThat(ended.getReason()).isEqualTo(ErrorCode.SERVER_UNSUBSCRIBED);
            assertThat(ended.getMessage()).isEqualTo("left the lounge");
            publishAndAwait(observer, room, "still-here-" + n, json);
            assertThat(json.all(ServerFrame::hasUnsubscribed)).isEmpty();

            api.blocking().unsubscribeUser(UnsubscribeUserRequest.newBuilder().setUserId(user).setRoom(room)
                    .setReason("lounge closed").build());
            assertThat(json.awaitFrame(ServerFrame::hasUnsubscribed).getUnsubscribed().getReason())
                    .isEqualTo(ErrorCode.SERVER_UNSUBSCRIBED);
            await().atMost(Peer.WAIT).until(() -> sdkEvents.contains("closed SERVER_UNSUBSCRIBED lounge closed"));
            // Subscribing by itself stays refused: the grant was the backend's, for those subscriptions only.
            int id = json.nextRequestId();
            json.send(subscribe(id, room));
            assertThat(json.reply(id).getError().getCode()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static ClientFrame subscribe(int requestId, String room) {
        return ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(requestId).setRoom(room))
                .build();
    }

    private static ClientFrame publish(int requestId, String room, String id) {
        return ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(requestId).setRoom(room)
                .setId(id).setPayload(ByteString.copyFromUtf8("hello")).setAck(true)).build();
    }

    /** {@code publisher} publishes {@code id} into {@code room} (acked), and {@code receiver} gets it. */
    private static void publishAndAwait(Peer publisher, String room, String id, Peer receiver) {
        int requestId = publisher.nextRequestId();
        publisher.send(publish(requestId, room, id));
        assertThat(publisher.reply(requestId).hasAck()).as("publish of %s into %s", id, room).isTrue();
        receiver.awaitFrame(f -> f.hasMessage() && f.getMessage().getId().equals(id));
    }
}
