package io.switchboard.bench.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.bench.baseline.BroadcastServer;
import io.switchboard.bench.baseline.BroadcastServerContract;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Netty baseline passes the baselines' shared suite on four event loops (so a room's members sit on loops
 * other than their publisher's), and keeps each publisher's order to every subscriber across loops.
 */
class NettyBroadcastBaselineTest extends BroadcastServerContract {
    private static final int LOOPS = 4;

    @Override
    protected BroadcastServer startServer() {
        return new NettyBroadcastBaseline().start(0, LOOPS);
    }

    @Test
    void everySubscriberOnEveryLoopGetsEveryMessageInOrder() {
        int subscribers = 2 * LOOPS;
        int messages = 50;
        List<WsTestClient> readers = new ArrayList<>();
        try (WsTestClient writer = WsTestClient.connected(baseline.webSocketUri(), Subprotocol.PROTO, "any")) {
            for (int i = 0; i < subscribers; i++) {
                WsTestClient reader = WsTestClient.connected(baseline.webSocketUri(),
                        i % 2 == 0 ? Subprotocol.PROTO : Subprotocol.JSON, "any");
                readers.add(reader);
                reader.subscribeAndWait("bench:0", TIMEOUT);
            }
            for (int m = 0; m < messages; m++) {
                writer.publish("bench:0", "m" + m, "payload " + m);
            }
            for (int m = 0; m < messages; m++) {
                assertThat(writer.nextMatching(ServerFrame::hasAck, TIMEOUT).getAck().getPosition()).isEqualTo(m + 1);
            }
            for (WsTestClient reader : readers) {
                for (int m = 0; m < messages; m++) {
                    ServerFrame message = reader.nextMatching(ServerFrame::hasMessage, TIMEOUT);
                    assertThat(message.getMessage().getId()).isEqualTo("m" + m);
                    assertThat(message.getMessage().getPosition()).isEqualTo(m + 1);
                }
            }
        } finally {
            readers.forEach(WsTestClient::close);
        }
    }
}
