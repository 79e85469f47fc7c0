package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;

/**
 * A connected client subscribed to a room of its own, which checks that it still gets what it publishes: what
 * another connection does wrong (bad frames, floods, abuse) must not disturb it.
 */
class ChatWitness implements AutoCloseable {
    private static final AtomicInteger ROOMS = new AtomicInteger();

    final String room = "witness-" + ROOMS.incrementAndGet();
    final WsTestClient client;

    ChatWitness(GatewayHarness h, Subprotocol subprotocol, String user) {
        client = h.connect(subprotocol, user);
        client.subscribeAndWait(room, WAIT);
    }

    void assertStillReceives() {
        String id = "w-" + UUID.randomUUID();
        client.publish(room, id, "still here");
        ServerFrame m = client.nextMatching(f -> f.hasMessage() && f.getMessage().getId().equals(id), WAIT);
        assertThat(m.getMessage().getPayload().toStringUtf8()).isEqualTo("still here");
    }

    @Override
    public void close() {
        client.close();
    }
}
