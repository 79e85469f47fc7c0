package io.switchboard.gateway.session;

import java.time.Duration;
import java.time.Instant;

import io.switchboard.gateway.ws.ProtocolViolation;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Ping;
import io.switchboard.proto.client.v1.RefreshToken;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** A session's state, Connect, refresh and close codes, through what its connection's writer writes. */
class ClientSessionTest {
    @AutoClose
    private SessionHarness gateway = new SessionHarness();

    @Test
    void connectAnswersConnectedWithTheUserTheGatewayAndTheLimits() {
        SessionHarness.Connection c = gateway.connectAs("alice");

        ServerFrame connected = c.sink().frames().getFirst();
        assertThat(connected.getConnected().getUserId()).isEqualTo("alice");
        assertThat(connected.getConnected().getSessionId()).isEqualTo(c.session().sessionId());
        assertThat(connected.getConnected().getGatewayId()).isEqualTo(SessionHarness.GATEWAY_ID);
        assertThat(connected.getConnected().getServerTime().getSeconds()).isEqualTo(SessionHarness.NOW.getEpochSecond());
        assertThat(connected.getConnected().getLimits().getMaxSubscriptions()).isEqualTo(100);
        assertThat(connected.getConnected().getLimits().getMaxPayloadBytes()).isEqualTo(65_536);
        assertThat(gateway.connections.ofUser("alice")).containsExactly(c.session());
        assertThat(gateway.presence.reports).containsExactly("opened alice");
    }

    @ParameterizedTest
    @CsvSource({"forged, 3500", "expired, 3501"})
    void aRefusedConnectTokenClosesWithItsCode(String token, int code) {
        SessionHarness.Connection c = gateway.connect();
        c.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(token)).build());

        assertThat(c.awaitClose().code()).isEqualTo(code);
        assertThat(c.sink().frames()).isEmpty();
        assertThat(gateway.presence.reports).isEmpty();
    }

    @Test
    void anyFrameBeforeConnectClosesProtocolError() {
        SessionHarness.Connection c = gateway.connect();
        c.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRoom("r")).build());

        assertThat(c.awaitClose()).isEqualTo(new RecordingSink.Close(ErrorCode.PROTOCOL_ERROR_VALUE,
                "first frame must be Connect, got subscribe"));
    }

    @Test
    void aSecondConnectIsAnErrorNotAClose() {
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken("bob")).build());

        ServerFrame error = c.awaitFrame(ServerFrame::hasError);
        assertThat(error.getError().getCode()).isEqualTo(ErrorCode.ALREADY_CONNECTED);
        assertThat(c.session().userId()).isEqualTo("alice");
        assertThat(c.sink().closed()).isNull();
    }

    @Test
    void noConnectWithinTheConnectTimeoutClosesConnectTimeout() {
        gateway.close();
        SessionSettings s = SessionHarness.settings();
        gateway = new SessionHarness(new SessionSettings(Duration.ofMillis(50), s.closeTimeout(), s.maxSubscriptions(),
                s.maxFrameBytes(), s.maxPayloadBytes(), s.maxOutboundQueueBytes(), s.maxInflightPublishes(),
                s.maxResumeBufferBytes()));

        SessionHarness.Connection c = gateway.connect();

        assertThat(c.awaitClose()).isEqualTo(new RecordingSink.Close(ErrorCode.CONNECT_TIMEOUT_VALUE,
                "no Connect frame within PT0.05S"));
    }

    @Test
    void pingIsAnsweredWithItsNonceAndTheServerTime() {
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(42)).build());

        ServerFrame pong = c.awaitFrame(ServerFrame::hasPong);
        assertThat(pong.getPong().getNonce()).isEqualTo(42);
        assertThat(pong.getPong().getServerTime().getSeconds()).isEqualTo(SessionHarness.NOW.getEpochSecond());
    }

    @Test
    void aRefreshedTokenKeepsTheSessionPastTheOldExpiry() {
        SessionHarness.Connection c = gateway.connectAs("alice");
        Instant oldExpiry = SessionHarness.TOKEN_EXPIRY;

        c.send(ClientFrame.newBuilder().setRefresh(RefreshToken.newBuilder().setRequestId(7).setToken("alice-later"))
                .build());
        assertThat(c.awaitFrame(ServerFrame::hasAck).getAck().getRequestId()).isEqualTo(7);

        c.session().closeIfExpired(oldExpiry);
        assertThat(c.sink().closed()).isNull();
        c.session().closeIfExpired(oldExpiry.plus(Duration.ofHours(1)));
        assertThat(c.awaitClose().code()).isEqualTo(ErrorCode.TOKEN_EXPIRED_VALUE);
    }

    @Test
    void aRefreshForAnotherUserOrWithABadTokenIsRefusedAndTheOldTokenStays() {
        SessionHarness.Connection c = gateway.connectAs("alice");

        c.send(ClientFrame.newBuilder().setRefresh(RefreshToken.newBuilder().setRequestId(1).setToken("bob")).build());
        c.send(ClientFrame.newBuilder().setRefresh(RefreshToken.newBuilder().setRequestId(2).setToken("forged")).build());

        ServerFrame otherUser = c.awaitFrame(f -> f.hasError() && f.getError().getRequestId() == 1);
        assertThat(otherUser.getError().getCode()).isEqualTo(ErrorCode.INVALID_TOKEN);
        assertThat(otherUser.getError().getRetriable()).isFalse();
        assertThat(otherUser.getError().getMessage()).isEqualTo("sub: token names another user (expected: alice)");
        ServerFrame forged = c.awaitFrame(f -> f.hasError() && f.getError().getRequestId() == 2);
        assertThat(forged.getError().getCode()).isEqualTo(ErrorCode.INVALID_TOKEN);
        c.session().closeIfExpired(SessionHarness.TOKEN_EXPIRY.minusSeconds(1));
        assertThat(c.sink().closed()).isNull();
        c.session().closeIfExpired(SessionHarness.TOKEN_EXPIRY);
        assertThat(c.awaitClose().code()).isEqualTo(ErrorCode.TOKEN_EXPIRED_VALUE);
    }

    @Test
    void aProtocolViolationClosesWithItsMessage() {
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.session().onProtocolViolation(new ProtocolViolation("malformed protobuf"));

        assertThat(c.awaitClose()).isEqualTo(new RecordingSink.Close(ErrorCode.PROTOCOL_ERROR_VALUE,
                "malformed protobuf"));
    }

    @Test
    void closeWritesWhatWasQueuedThenTheCloseFrameOnceWithAReasonCutTo123Bytes() {
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(1)).build());

        assertThat(c.session().close(4001, "é".repeat(100))).isTrue();
        assertThat(c.session().close(ErrorCode.SERVER_SHUTDOWN, "reconnect")).isFalse();

        RecordingSink.Close close = c.awaitClose();
        assertThat(close.code()).isEqualTo(4001);
        assertThat(close.reason()).isEqualTo("é".repeat(61));
        assertThat(c.sink().frames()).extracting(ServerFrame::getFrameCase)
                .containsExactly(ServerFrame.FrameCase.CONNECTED, ServerFrame.FrameCase.PONG);
        assertThat(gateway.presence.reports).containsExactly("opened alice", "closed");
    }

    @Test
    void aClientThatStopsReadingIsClosedSlowConsumerAndItsQueueDropped() {
        gateway.close();
        SessionSettings s = SessionHarness.settings();
        gateway = new SessionHarness(new SessionSettings(s.connectTimeout(), s.closeTimeout(), s.maxSubscriptions(),
                1024, 100, 2048, s.maxInflightPublishes(), 2048));
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.sink().hold();
        ClientFrame ping = ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(1)).build();

        // Each Pong is ~10 bytes: far more than fits in 2048 queued bytes while nothing is written.
        for (int i = 0; i < 1000; i++) {
            c.send(ping);
        }
        c.sink().release();

        assertThat(c.awaitClose()).isEqualTo(new RecordingSink.Close(ErrorCode.SLOW_CONSUMER_VALUE,
                "slow consumer: more than 2048 bytes queued"));
        // At most the one batch the writer held when the client stopped reading (taken from a queue of at most
        // 2048 bytes), never the dropped backlog of 1000 Pongs.
        assertThat(c.sink().frames().stream().filter(ServerFrame::hasPong).mapToInt(ServerFrame::getSerializedSize)
                .sum()).isLessThanOrEqualTo(2048);
    }

    @Test
    void theEndOfTheTransportUnregistersTheSessionAndReportsItClosed() {
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRoom("r")).build());
        c.awaitFrame(ServerFrame::hasSubscribed);

        c.session().onTransportClosed();
        c.session().onTransportClosed();

        assertThat(gateway.connections.size()).isZero();
        assertThat(gateway.connections.ofUser("alice")).isEmpty();
        assertThat(gateway.registry.subscribers("r")).isEmpty();
        assertThat(gateway.presence.reports).containsExactly("opened alice", "joined r", "closed");
    }
}
