package io.switchboard.gateway;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Graceful drain: readiness off, upgrades refused, Drain then 3000 to everyone, after their in-flight acks. */
class DrainTest {
    private GatewayHarness h;

    @BeforeEach
    void start() throws Exception {
        h = GatewayHarness.start(c -> { });
    }

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void drainAnswersInFlightPublishesThenClosesEveryConnectionWith3000() throws Exception {
        try (WsTestClient publisher = h.connect(Subprotocol.PROTO, "alice");
             WsTestClient idle = h.connect(Subprotocol.JSON, "bob")) {
            idle.subscribeAndWait("drain-room", WAIT);
            h.router.mode(FakeRouter.Mode.HOLD);
            int rid = publisher.publish("drain-room", "in-flight", "x");
            assertThat(h.router.awaitHeld(WAIT)).isTrue();

            CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> h.gateway.drain(Duration.ofSeconds(30)));

            await().atMost(WAIT).until(() -> h.get("/observe/health/ready").statusCode() == 503);
            assertThat(h.gateway.isReady()).isFalse();
            assertThat(h.get("/observe/health/live").statusCode()).isEqualTo(200);
            assertThat(UpgradeProbe.status(h.wsUri(), Subprotocol.PROTO.token())).isEqualTo(503);

            // New publishes are turned away (retriable) while the one in flight is still waited for.
            int late = publisher.publish("drain-room", "late", "y");
            ServerFrame refused = publisher.nextMatching(ServerFrame::hasError, WAIT);
            assertThat(refused.getError().getRequestId()).isEqualTo(late);
            assertThat(refused.getError().getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(refused.getError().getRetriable()).isTrue();
            // The idle connection is drained at once (Drain, then 3000); the publisher's close waits for its ack.
            assertThat(idle.nextMatching(ServerFrame::hasDrain, WAIT).getDrain().getReconnectWithinMs())
                    .isEqualTo(5000);
            assertThat(idle.awaitClose(WAIT).code()).isEqualTo(ErrorCode.SERVER_SHUTDOWN_VALUE);
            assertThat(publisher.isOpen()).isTrue();
            assertThat(drain).isNotDone();

            h.router.release();
            ServerFrame ack = publisher.nextMatching(ServerFrame::hasAck, WAIT);
            assertThat(ack.getAck().getRequestId()).isEqualTo(rid);
            assertThat(ack.getAck().getId()).isEqualTo("in-flight");
            WsTestClient.Closed closed = publisher.awaitClose(WAIT);
            assertThat(closed.code()).isEqualTo(ErrorCode.SERVER_SHUTDOWN_VALUE);
            assertThat(closed.reason()).isEqualTo("reconnect");

            drain.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> h.gateway.connectionCount() == 0);
        }
    }

    @Test
    void stopWithoutGraceStillClosesConnectionsAndIsIdempotent() {
        WsTestClient c = h.connect(Subprotocol.PROTO, "alice");
        try {
            h.gateway.stop(Duration.ZERO);
            WsTestClient.Closed closed = c.awaitClose(WAIT);
            assertThat(closed.code()).isIn(ErrorCode.SERVER_SHUTDOWN_VALUE, 1006);
            h.gateway.stop(Duration.ZERO);
            h.gateway.drain(Duration.ZERO);
        } finally {
            c.close();
        }
    }
}
