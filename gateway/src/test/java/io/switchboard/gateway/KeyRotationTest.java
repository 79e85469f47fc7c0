package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayKeys.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.JwksServer;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.Test;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Keys rotate through a JWKS URL while 100 connections stay open: tokens with a newly published kid connect
 * (EdDSA, then RS256), tokens whose kid was removed are refused with 3500 INVALID_TOKEN, and every connection
 * opened with the first key (ES256) stays open and keeps receiving messages. The gateway also keeps its
 * configured HS256 secret beside the key set.
 */
class KeyRotationTest {
    private static final int CONNECTIONS = 100;

    @Test
    void keysRotateWithoutARestartAndWithoutDroppingConnections() throws Exception {
        TestTokens first = TestTokens.es256("2026-11-es");
        TestTokens second = TestTokens.ed25519("2026-12-ed");
        TestTokens third = TestTokens.rs256("2027-01-rs");
        List<WsTestClient> open = new ArrayList<>();
        try (JwksServer jwks = JwksServer.start(List.of(first.publicJwk()));
             GatewayHarness h = GatewayHarness.start(c -> c.set(GatewayKeys.AUTH.jwksUrl, jwks.url())
                     .set(GatewayKeys.AUTH.jwksMinRefetchInterval, Duration.ofMillis(200)))) {
            for (int i = 0; i < CONNECTIONS; i++) {
                Subprotocol subprotocol = i % 2 == 0 ? Subprotocol.JSON : Subprotocol.PROTO;
                WsTestClient client = WsTestClient.connected(h.wsUri(), subprotocol,
                        first.token("user-" + i, "rotation"));
                open.add(client);
                client.subscribeAndWait("rotation", WAIT);
            }

            // Step 1: the new EdDSA key is published beside the old one; its first token makes the gateway re-read.
            jwks.publish(List.of(first.publicJwk(), second.publicJwk()));
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(attempt(h, second.token("late-joiner"))).isEqualTo(Outcome.CONNECTED));

            // Step 2: the ES256 key is retired and an RS256 key added; once the set is re-read (the unknown RS256
            // kid does it), tokens of the retired key are refused.
            jwks.publish(List.of(second.publicJwk(), third.publicJwk()));
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(attempt(h, third.token("newest"))).isEqualTo(Outcome.CONNECTED));
            assertThat(attempt(h, first.token("user-0"))).isEqualTo(Outcome.INVALID_TOKEN);
            assertThat(attempt(h, second.token("still-fine"))).isEqualTo(Outcome.CONNECTED);
            assertThat(attempt(h, h.tokens.token("configured-secret"))).isEqualTo(Outcome.CONNECTED);

            // The connections opened with the retired key are all still there and still receive messages.
            assertThat(open).allMatch(WsTestClient::isOpen);
            open.get(0).publish("rotation", "after-rotation", "still connected");
            for (WsTestClient client : open) {
                ServerFrame m = client.nextMatching(f -> f.hasMessage()
                        && f.getMessage().getId().equals("after-rotation"), WAIT);
                assertThat(m.getMessage().getPayload().toStringUtf8()).isEqualTo("still connected");
            }
            assertThat(h.gateway.connectionCount()).isGreaterThanOrEqualTo(CONNECTIONS);
        } finally {
            open.forEach(WsTestClient::close);
        }
    }

    private enum Outcome { CONNECTED, INVALID_TOKEN, OTHER }

    /** Connects with {@code token} and reports how the gateway answered; the connection is closed again. */
    private static Outcome attempt(GatewayHarness h, String token) {
        try (WsTestClient client = WsTestClient.connect(h.wsUri(), Subprotocol.JSON)) {
            client.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(token)).build());
            AtomicReference<ServerFrame> reply = new AtomicReference<>();
            await().atMost(WAIT).until(() -> {
                ServerFrame f = client.poll();
                if (f != null) {
                    reply.set(f);
                }
                return reply.get() != null || client.closeFuture().isDone();
            });
            if (reply.get() != null && reply.get().hasConnected()) {
                return Outcome.CONNECTED;
            }
            WsTestClient.Closed closed = client.awaitClose(WAIT);
            return closed.code() == ErrorCode.INVALID_TOKEN_VALUE ? Outcome.INVALID_TOKEN : Outcome.OTHER;
        }
    }
}
