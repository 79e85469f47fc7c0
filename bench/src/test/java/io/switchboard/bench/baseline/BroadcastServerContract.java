package io.switchboard.bench.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every broadcast baseline does, over a real socket: enough of the wire protocol, in both subprotocols, for
 * the load generators. Each baseline's test extends it with the server it starts.
 */
public abstract class BroadcastServerContract {
    /** How long a test waits for one frame. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** The server under test, started before each test. */
    protected BroadcastServer baseline;

    /** Starts the server under test on a free loopback port. */
    protected abstract BroadcastServer startServer();

    @BeforeEach
    void start() {
        baseline = startServer();
    }

    @AfterEach
    void stop() {
        baseline.close();
    }

    @Test
    void broadcastsToTheRoomsSubscribersOnlyAndAcks() {
        try (WsTestClient reader = WsTestClient.connected(baseline.webSocketUri(), Subprotocol.PROTO, "any");
             WsTestClient other = WsTestClient.connected(baseline.webSocketUri(), Subprotocol.PROTO, "any");
             WsTestClient writer = WsTestClient.connected(baseline.webSocketUri(), Subprotocol.PROTO, "any")) {
            assertThat(reader.subscribeAndWait("bench:0", TIMEOUT).getSubscribed().getRoom()).isEqualTo("bench:0");
            other.subscribeAndWait("bench:1", TIMEOUT);

            int first = writer.publish("bench:0", "m1", "hello");
            int second = writer.publish("bench:0", "m2", "again");

            ServerFrame ack = writer.nextMatching(ServerFrame::hasAck, TIMEOUT);
            assertThat(ack.getAck().getRequestId()).isEqualTo(first);
            assertThat(writer.nextMatching(ServerFrame::hasAck, TIMEOUT).getAck().getRequestId()).isEqualTo(second);
            ServerFrame m1 = reader.nextMatching(ServerFrame::hasMessage, TIMEOUT);
            ServerFrame m2 = reader.nextMatching(ServerFrame::hasMessage, TIMEOUT);
            assertThat(m1.getMessage().getId()).isEqualTo("m1");
            assertThat(m1.getMessage().getPayload().toStringUtf8()).isEqualTo("hello");
            assertThat(m1.getMessage().getPosition()).isEqualTo(ack.getAck().getPosition());
            assertThat(m2.getMessage().getPosition()).isGreaterThan(m1.getMessage().getPosition());
            assertThat(other.poll()).isNull();
            assertThat(writer.poll()).as("the writer is not subscribed").isNull();
        }
    }

    @Test
    void speaksJsonToJsonClientsAndBinaryToBinaryOnesInOneRoom() {
        try (WsTestClient json = WsTestClient.connected(baseline.webSocketUri(), Subprotocol.JSON, "any");
             WsTestClient binary = WsTestClient.connected(baseline.webSocketUri(), Subprotocol.PROTO, "any")) {
            json.subscribeAndWait("bench:0", TIMEOUT);
            binary.subscribeAndWait("bench:0", TIMEOUT);
            int id = json.publish("bench:0", "j1", "from json");

            // The baseline writes the message to the room (the publisher is a member) before it acks.
            assertThat(json.nextMatching(ServerFrame::hasMessage, TIMEOUT).getMessage().getPayload().toStringUtf8())
                    .isEqualTo("from json");
            assertThat(json.nextMatching(ServerFrame::hasAck, TIMEOUT).getAck().getRequestId()).isEqualTo(id);
            assertThat(binary.nextMatching(ServerFrame::hasMessage, TIMEOUT).getMessage().getId()).isEqualTo("j1");
        }
    }

    @Test
    void refusesAHandshakeWithoutASubprotocolItSpeaks() {
        try (WsTestClient client = WsTestClient.connectRaw(baseline.webSocketUri(), "switchboard.v2.proto")) {
            assertThat(client.handshakeStatus()).isNotEqualTo(101);
        }
    }

    @Test
    void closesAConnectionThatSkipsConnect() {
        try (WsTestClient client = WsTestClient.connect(baseline.webSocketUri(), Subprotocol.PROTO)) {
            client.subscribe("bench:0");
            assertThat(client.awaitClose(TIMEOUT).code()).isEqualTo(3502);
        }
    }
}
