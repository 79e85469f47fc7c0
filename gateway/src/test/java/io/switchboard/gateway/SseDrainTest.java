package io.switchboard.gateway;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A drain reaches event streams as it reaches WebSockets: Drain, the in-flight acks, then close 3000, then the end. */
class SseDrainTest {
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
    void drainSendsDrainThenTheInFlightAckThenClose3000AndRefusesNewStreams() throws Exception {
        try (SseTestClient c = SseTestClient.connected(h.httpUri("/sse"), h.token("alice"))) {
            c.subscribeAndWait("drain-sse", WAIT);
            h.router.mode(FakeRouter.Mode.HOLD);
            int rid = c.publish("drain-sse", "in-flight", "x");
            assertThat(h.router.awaitHeld(WAIT)).isTrue();

            CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> h.gateway.drain(Duration.ofSeconds(30)));
            assertThat(c.nextMatching(ServerFrame::hasDrain, WAIT).getDrain().getReconnectWithinMs()).isEqualTo(5000);
            try (SseTestClient late = SseTestClient.open(h.httpUri("/sse"), h.token("bob"))) {
                assertThat(late.status()).isEqualTo(503);
            }
            assertThat(c.hasEnded()).as("the close waits for the publish in flight").isFalse();

            h.router.release();
            ServerFrame ack = c.nextMatching(f -> f.hasAck() || f.hasError(), WAIT);
            assertThat(ack.getAck().getRequestId()).isEqualTo(rid);
            SseTestClient.Closed closed = c.awaitClose(WAIT);
            assertThat(closed.code()).isEqualTo(ErrorCode.SERVER_SHUTDOWN_VALUE);
            assertThat(closed.reason()).isEqualTo("reconnect");
            c.awaitEnd(WAIT);

            drain.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> h.gateway.connectionCount() == 0);
        }
    }
}
