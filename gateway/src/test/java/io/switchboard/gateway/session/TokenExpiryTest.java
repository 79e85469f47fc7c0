package io.switchboard.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import io.switchboard.gateway.authz.AuthzConfig;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.RefreshToken;
import io.switchboard.proto.client.v1.ServerFrame;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The gateway's expiry check ({@link ConnectionRegistry#closeExpired}, which the gateway's timer calls every second
 * with its clock less the skew) closes with TOKEN_EXPIRED (3501) exactly the connections whose current token expired
 * by the cutoff, through the index by expiry: a refresh moves a connection later or earlier, an ended connection
 * leaves nothing filed.
 */
class TokenExpiryTest {
    private static final Instant EXPIRY = SessionHarness.NOW.plusSeconds(60);
    private static final Instant LATER = SessionHarness.NOW.plusSeconds(120);
    private static final Instant SOONER = SessionHarness.NOW.plusSeconds(30);
    private static final Map<String, Object> GRANTS = SessionHarness.grantAll(SessionHarness.GRANTED_ROOMS);

    @AutoClose
    private final SessionHarness gateway = new SessionHarness(SessionHarness.settings(), AuthzConfig.defaults(),
            Map.of("carol", SessionHarness.token("carol", EXPIRY, GRANTS),
                    "carol-later", SessionHarness.token("carol", LATER, GRANTS),
                    "carol-sooner", SessionHarness.token("carol", SOONER, GRANTS)));
    private final ConnectionRegistry connections = gateway.connections;

    private static void refresh(SessionHarness.Connection c, int requestId, String token) {
        c.send(ClientFrame.newBuilder().setRefresh(RefreshToken.newBuilder().setRequestId(requestId).setToken(token))
                .build());
        assertThat(c.awaitFrame(f -> f.hasAck() && f.getAck().getRequestId() == requestId)).isNotNull();
    }

    @Test
    void onlyTheConnectionsWhoseTokenExpiredByTheCutoffClose() {
        SessionHarness.Connection carol = gateway.connectAs("carol");
        SessionHarness.Connection alice = gateway.connectAs("alice"); // expires an hour after NOW

        connections.closeExpired(EXPIRY.minusMillis(1));
        assertThat(carol.sink().closed()).isNull();
        connections.closeExpired(EXPIRY);
        assertThat(carol.awaitClose().code()).isEqualTo(ErrorCode.TOKEN_EXPIRED_VALUE);
        assertThat(alice.sink().closed()).isNull();
        assertThat(connections.tokensFiled()).as("alice only").isEqualTo(1);
    }

    @Test
    void aRefreshMovesTheConnectionToItsNewTokensExpiryLaterOrSooner() {
        SessionHarness.Connection later = gateway.connectAs("carol");
        SessionHarness.Connection sooner = gateway.connectAs("carol");
        refresh(later, 1, "carol-later");
        refresh(sooner, 2, "carol-sooner");

        connections.closeExpired(SOONER);
        assertThat(sooner.awaitClose().code()).isEqualTo(ErrorCode.TOKEN_EXPIRED_VALUE);
        connections.closeExpired(EXPIRY);
        assertThat(later.sink().closed()).isNull();
        connections.closeExpired(LATER);
        assertThat(later.awaitClose().code()).isEqualTo(ErrorCode.TOKEN_EXPIRED_VALUE);
    }

    @Test
    void aConnectionIsFiledOnceConnectedAndForgottenWhenItEnds() {
        SessionHarness.Connection c = gateway.connect();
        assertThat(connections.tokensFiled()).as("before Connect").isZero();
        c.send(ClientFrame.newBuilder().setConnect(io.switchboard.proto.client.v1.Connect.newBuilder()
                .setToken("carol").setClient("test")).build());
        c.awaitFrame(ServerFrame::hasConnected);
        assertThat(connections.tokensFiled()).isEqualTo(1);

        c.session().onTransportClosed();
        assertThat(connections.tokensFiled()).isZero();
    }
}
