package io.switchboard.gateway;

import java.net.http.HttpResponse;
import java.time.Duration;

import com.google.protobuf.ByteString;
import io.switchboard.proto.Names;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Ping;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Unsubscribe;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The gateway on real sockets with a real Kafka and a fake router: connect, subscribe, publish, receive. */
class GatewayServerTest {
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        // The default connect timeout (10 s): every test's client must send Connect within it, on a loaded machine too.
        h = GatewayHarness.start(c -> c.set(GatewayKeys.ID, "gw-test").set(GatewayKeys.MAX_SUBSCRIPTIONS, 3));
    }

    @AfterEach
    void routerBackToNormal() {
        h.router.mode(FakeRouter.Mode.KAFKA);
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void connectReturnsSessionUserLimitsAndGateway(Subprotocol p) {
        try (WsTestClient c = WsTestClient.connect(h.wsUri(), p)) {
            assertThat(c.subprotocol()).isEqualTo(p);
            c.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(h.tokens.token("alice"))).build());
            ServerFrame f = c.next(WAIT);
            assertThat(f.hasConnected()).as(f.toString()).isTrue();
            assertThat(f.getConnected().getUserId()).isEqualTo("alice");
            assertThat(f.getConnected().getSessionId()).isNotEmpty();
            assertThat(f.getConnected().getGatewayId()).isEqualTo("gw-test");
            assertThat(f.getConnected().getServerTime().getSeconds()).isPositive();
            assertThat(f.getConnected().getLimits().getMaxSubscriptions()).isEqualTo(3);
            assertThat(f.getConnected().getLimits().getMaxFrameBytes()).isEqualTo(131_072);
            assertThat(f.getConnected().getLimits().getMaxPayloadBytes()).isEqualTo(65_536);
            assertThat(f.getConnected().getLimits().getMaxOutboundQueueBytes()).isEqualTo(1_048_576);
            assertThat(f.getConnected().getLimits().getMaxRoomLength()).isEqualTo(Names.MAX_ROOM_LENGTH);

            c.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(h.tokens.token("alice"))).build());
            ServerFrame again = c.next(WAIT);
            assertThat(again.getError().getCode()).isEqualTo(ErrorCode.ALREADY_CONNECTED);
            assertThat(again.getError().getRetriable()).isFalse();
            assertThat(c.isOpen()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void subscribePublishReceiveAndAckCarriesTheRoutersPosition(Subprotocol p) {
        String room = "chat:" + p.name().toLowerCase();
        try (WsTestClient alice = h.connect(p, "alice"); WsTestClient bob = h.connect(Subprotocol.PROTO, "bob")) {
            ServerFrame subscribed = bob.subscribeAndWait(room, WAIT);
            assertThat(subscribed.getSubscribed().getRoom()).isEqualTo(room);
            assertThat(subscribed.getSubscribed().getEpoch()).matches("[A-Za-z0-9_-]{22}:[0-2]");

            int rid = alice.publish(room, "m-1", "hello " + p);
            ServerFrame ack = alice.nextMatching(ServerFrame::hasAck, WAIT);
            assertThat(ack.getAck().getRequestId()).isEqualTo(rid);
            assertThat(ack.getAck().getRoom()).isEqualTo(room);
            assertThat(ack.getAck().getId()).isEqualTo("m-1");
            assertThat(ack.getAck().getDuplicate()).isFalse();
            assertThat(ack.getAck().getEpoch()).isEqualTo(subscribed.getSubscribed().getEpoch());

            ServerFrame msg = bob.nextMatching(ServerFrame::hasMessage, WAIT);
            assertThat(msg.getMessage().getRoom()).isEqualTo(room);
            assertThat(msg.getMessage().getId()).isEqualTo("m-1");
            assertThat(msg.getMessage().getSender()).isEqualTo("alice");
            assertThat(msg.getMessage().getPayload().toStringUtf8()).isEqualTo("hello " + p);
            assertThat(msg.getMessage().getContentType()).isEqualTo("text/plain; charset=utf-8");
            assertThat(msg.getMessage().getPosition()).isEqualTo(ack.getAck().getPosition());
            assertThat(msg.getMessage().getEpoch()).isEqualTo(ack.getAck().getEpoch());
            assertThat(msg.getMessage().getTimestamp().getSeconds()).isPositive();

            Envelope env = h.router.received().stream().filter(e -> e.getId().equals("m-1") && e.getRoom().equals(room))
                    .findFirst().orElseThrow();
            assertThat(env.getSender().getUserId()).isEqualTo("alice");
            assertThat(env.getSender().getGatewayId()).isEqualTo("gw-test");
            assertThat(env.getSender().getSessionId()).isNotEmpty();
            assertThat(env.getTraceId()).isNotEmpty();
            assertThat(env.hasReceivedTime()).isTrue();
            assertThat(env.hasPosition()).isFalse();
        }
    }

    @Test
    void messagesOfARoomArriveInPositionOrderAndStopAfterUnsubscribe() {
        String room = "order";
        try (WsTestClient pub = h.connect(Subprotocol.PROTO, "p"); WsTestClient sub = h.connect(Subprotocol.JSON, "s")) {
            sub.subscribeAndWait(room, WAIT);
            for (int i = 0; i < 20; i++) {
                pub.publish(room, "o-" + i, Integer.toString(i));
            }
            // Publishes in flight together may be stored in any order; delivery follows the stored order.
            long last = -1;
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < 20; i++) {
                ServerFrame m = sub.nextMatching(ServerFrame::hasMessage, WAIT);
                seen.add(m.getMessage().getPayload().toStringUtf8());
                assertThat(m.getMessage().getPosition()).isGreaterThan(last);
                last = m.getMessage().getPosition();
            }
            assertThat(seen).hasSize(20);
            int rid = sub.nextRequestId();
            sub.send(ClientFrame.newBuilder().setUnsubscribe(Unsubscribe.newBuilder().setRequestId(rid).setRoom(room)).build());
            ServerFrame unsubscribed = sub.nextMatching(ServerFrame::hasUnsubscribed, WAIT);
            assertThat(unsubscribed.getUnsubscribed().getRequestId()).isEqualTo(rid);

            // A marker room proves later messages were fanned out while the unsubscribed room stays silent.
            sub.subscribeAndWait("marker", WAIT);
            pub.publish(room, "after", "after");
            pub.nextMatching(f -> f.hasAck() && f.getAck().getId().equals("after"), WAIT);
            pub.publish("marker", "mark", "mark");
            ServerFrame next = sub.nextMatching(ServerFrame::hasMessage, WAIT);
            assertThat(next.getMessage().getRoom()).isEqualTo("marker");
        }
    }

    @Test
    void routerUnavailableIsARetriableUnavailableError() {
        try (WsTestClient c = h.connect(Subprotocol.PROTO, "alice")) {
            h.router.mode(FakeRouter.Mode.UNAVAILABLE);
            int rid = c.publish("room-u", "u-1", "x");
            ServerFrame f = c.nextMatching(ServerFrame::hasError, WAIT);
            assertThat(f.getError().getRequestId()).isEqualTo(rid);
            assertThat(f.getError().getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(f.getError().getRetriable()).isTrue();
            assertThat(f.getError().getRoom()).isEqualTo("room-u");
            assertThat(c.isOpen()).isTrue();
        }
    }

    @Test
    void errorsAreReportedEvenWithoutAckAndAcksOnlyWhenAsked() {
        try (WsTestClient c = h.connect(Subprotocol.PROTO, "alice")) {
            c.subscribeAndWait("quiet", WAIT);
            c.send(ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(1).setRoom("quiet")
                    .setPayload(ByteString.copyFromUtf8("no ack"))).build());
            ServerFrame m = c.next(WAIT);
            assertThat(m.hasMessage()).as("no Ack before the message: " + m).isTrue();
            assertThat(m.getMessage().getId()).startsWith("g-"); // assigned by the gateway

            h.router.mode(FakeRouter.Mode.UNAVAILABLE);
            c.send(ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(2).setRoom("quiet")
                    .setPayload(ByteString.copyFromUtf8("fails"))).build());
            ServerFrame e = c.next(WAIT);
            assertThat(e.getError().getRequestId()).isEqualTo(2);
            assertThat(e.getError().getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
        }
    }

    @Test
    void validationErrorsKeepTheConnectionOpen() {
        try (WsTestClient c = h.connect(Subprotocol.JSON, "alice")) {
            c.send(ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(1).setRoom("ok")
                    .setId("has space")).build());
            assertThat(c.next(WAIT).getError().getCode()).isEqualTo(ErrorCode.INVALID_ID);
            c.send(ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(2).setRoom("ok")
                    .setPayload(ByteString.copyFrom(new byte[65_537]))).build());
            ServerFrame tooLarge = c.next(WAIT);
            assertThat(tooLarge.getError().getCode()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
            assertThat(tooLarge.getError().getRequestId()).isEqualTo(2);
            assertThat(tooLarge.getError().getRetriable()).isFalse();
            for (String room : new String[] {"a", "b", "c"}) {
                c.subscribeAndWait(room, WAIT);
            }
            int rid = c.subscribe("d");
            ServerFrame tooMany = c.next(WAIT);
            assertThat(tooMany.getError().getCode()).isEqualTo(ErrorCode.TOO_MANY_SUBSCRIPTIONS);
            assertThat(tooMany.getError().getRequestId()).isEqualTo(rid);
            c.subscribeAndWait("a", WAIT); // re-subscribing an existing room is fine
            c.send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(42)).build());
            ServerFrame pong = c.next(WAIT);
            assertThat(pong.getPong().getNonce()).isEqualTo(42);
            assertThat(pong.getPong().getServerTime().getSeconds()).isPositive();
        }
    }

    @Test
    void noConnectWithinTheTimeoutClosesWithConnectTimeout() {
        // A gateway of its own with a short timeout: on the shared one, every other test's Connect would race it.
        try (GatewayServer quick = h.startAnotherGateway(c -> c.set(GatewayKeys.ID, "gw-quick")
                .set(GatewayKeys.CONNECT_TIMEOUT, Duration.ofMillis(200)));
             WsTestClient c = WsTestClient.connect(GatewayHarness.wsUri(quick), Subprotocol.PROTO)) {
            WsTestClient.Closed closed = c.awaitClose(WAIT);
            assertThat(closed.code()).isEqualTo(ErrorCode.CONNECT_TIMEOUT_VALUE);
        }
    }

    @Test
    void unsupportedSubprotocolIsRefusedWithHttp400() {
        WsTestClient c = WsTestClient.connectRaw(h.wsUri(), "mqtt", "switchboard.v2.json");
        assertThat(c.handshakeStatus()).isEqualTo(400);
        WsTestClient none = WsTestClient.connectRaw(h.wsUri());
        assertThat(none.handshakeStatus()).isEqualTo(400);
    }

    @Test
    void servesMetricsAndHealthOnTheSamePort() throws Exception {
        try (WsTestClient c = h.connect(Subprotocol.PROTO, "alice")) {
            HttpResponse<String> metrics = h.get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(metrics.body()).contains("gateway_connections ", "gateway_frames_received_total{type=\"connect\"}",
                    "jvm_memory_used_bytes");
            await().atMost(WAIT).until(() -> h.metric("gateway_connections") >= 1);
            assertThat(c.isOpen()).isTrue();
        }
        HttpResponse<String> ready = h.get("/observe/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("UP");
        assertThat(h.get("/observe/health/live").statusCode()).isEqualTo(200);
        assertThat(h.get("/observe/health").statusCode()).isEqualTo(200);
    }

    @Test
    void connectionCountFollowsConnectsAndAbruptDisconnects() {
        // Earlier tests' connections end on the gateway some time after their clients closed them: once none is
        // left, the count moves by this test's connection only.
        await().atMost(WAIT).until(() -> h.gateway.connectionCount() == 0);
        WsTestClient c = h.connect(Subprotocol.PROTO, "alice");
        await().atMost(WAIT).until(() -> h.gateway.connectionCount() == 1);
        c.close();
        await().atMost(WAIT).until(() -> h.gateway.connectionCount() == 0);
    }

    @Test
    void secondStartFails() {
        assertThatThrownBy(() -> h.gateway.start()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");
    }
}
