package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ServerFrame;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The end-to-end check of the platform's core promise, reusable against any set of gateways (in-process or
 * separate processes): subscribers spread over every gateway and both subprotocols join some rooms, one
 * publisher per gateway publishes with acks, and every acked message must reach every subscriber of its room
 * exactly once, in position order, at the acked position.
 */
public final class FanOutScenario {
    private final List<URI> gateways;
    private final TestTokens tokens;
    private List<String> rooms = List.of("fanout:alpha", "fanout:beta", "fanout:gamma");
    private int subscribersPerGateway = 2;
    private int messagesPerRoom = 30;
    private Duration timeout = Duration.ofSeconds(30);

    private static final int WINDOW = 16;

    /**
     * A scenario against these gateway WebSocket endpoints, authenticating with {@code tokens}; each client's
     * token grants exactly the scenario's rooms.
     */
    public FanOutScenario(List<URI> gateways, TestTokens tokens) {
        if (gateways.isEmpty()) {
            throw new IllegalArgumentException("gateways: empty (expected: at least one)");
        }
        this.gateways = List.copyOf(gateways);
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    public FanOutScenario rooms(List<String> value) {
        this.rooms = List.copyOf(value);
        return this;
    }

    public FanOutScenario subscribersPerGateway(int value) {
        this.subscribersPerGateway = value;
        return this;
    }

    public FanOutScenario messagesPerRoom(int value) {
        this.messagesPerRoom = value;
        return this;
    }

    public FanOutScenario timeout(Duration value) {
        this.timeout = value;
        return this;
    }

    /** Runs the scenario and fails with every violation found; returns the number of acked messages. */
    public int run() {
        DeliveryChecker checker = new DeliveryChecker();
        List<WsTestClient> clients = new ArrayList<>();
        try {
            int n = 0;
            for (URI gateway : gateways) {
                for (int i = 0; i < subscribersPerGateway; i++, n++) {
                    DeliveryChecker.Subscriber recorder = checker.subscriber("subscriber-" + n + "@" + gateway, Set.copyOf(rooms));
                    Subprotocol protocol = n % 2 == 0 ? Subprotocol.JSON : Subprotocol.PROTO;
                    WsTestClient client = WsTestClient.connected(gateway, protocol, tokens.token("reader-" + n, rooms.toArray(String[]::new)));
                    clients.add(client);
                    for (String room : rooms) {
                        client.subscribeAndWait(room, timeout);
                    }
                    client.divert(frame -> {
                        if (frame.hasMessage()) {
                            recorder.received(frame.getMessage());
                        }
                    });
                }
            }
            // One publisher per gateway, interleaving rooms, so every gateway's messages reach every other gateway.
            List<WsTestClient> publishers = new ArrayList<>();
            for (int g = 0; g < gateways.size(); g++) {
                WsTestClient publisher = WsTestClient.connected(gateways.get(g), Subprotocol.PROTO, tokens.token("writer-" + g, rooms.toArray(String[]::new)));
                clients.add(publisher);
                publishers.add(publisher);
            }
            for (int g = 0; g < publishers.size(); g++) {
                WsTestClient publisher = publishers.get(g);
                Map<Integer, String> pending = new HashMap<>();
                for (int m = 0; m < messagesPerRoom; m++) {
                    for (String room : rooms) {
                        // Stay within the gateway's per-connection limit of publishes awaiting acks.
                        while (pending.size() >= WINDOW) {
                            awaitAck(publisher, pending, checker);
                        }
                        pending.put(publisher.publish(room, "g" + g + "-" + room.replace(':', '.') + "-" + m, "message " + m), room);
                    }
                }
                while (!pending.isEmpty()) {
                    awaitAck(publisher, pending, checker);
                }
            }
            await().atMost(timeout).until(checker::allDelivered);
            assertThat(checker.violations()).isEmpty();
            return checker.ackedCount();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not every acked message was delivered within " + timeout + ": " + checker.violations(), e);
        } finally {
            clients.forEach(WsTestClient::close);
        }
    }

    private void awaitAck(WsTestClient publisher, Map<Integer, String> pending, DeliveryChecker checker) {
        ServerFrame frame = publisher.nextMatching(f -> f.hasAck() || f.hasError(), timeout);
        assertThat(frame.hasError()).as("publish failed: %s", frame).isFalse();
        Ack ack = frame.getAck();
        assertThat(pending.remove(ack.getRequestId())).as("ack for an unknown request: %s", ack).isEqualTo(ack.getRoom());
        assertThat(ack.getDuplicate()).as("fresh id acked as duplicate: %s", ack).isFalse();
        checker.acked(ack.getRoom(), ack.getId(), ack.getPosition());
    }
}
