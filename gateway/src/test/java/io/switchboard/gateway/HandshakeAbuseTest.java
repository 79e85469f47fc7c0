package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.switchboard.gateway.limits.LimitKeys;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Thousands of half-open sockets (connected, nothing sent) and slow upgrades (a request head trickled a byte at a
 * time) against one gateway: new clients still connect and chat on both subprotocols, and the handshake timeout
 * closes every abusive socket. Loopback only, bounded counts (about 2 x 2,300 descriptors in this JVM), no timing
 * assertions.
 */
class HandshakeAbuseTest {
    private static final int HALF_OPEN = Integer.getInteger("abuse.half-open", 2_000);
    private static final int SLOW = Integer.getInteger("abuse.slow", 300);
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> c.set(LimitKeys.HANDSHAKE_TIMEOUT, Duration.ofSeconds(10)));
    }

    @Test
    void halfOpenSocketsAndSlowUpgradesDoNotStopNewClientsAndAreClosed() throws Exception {
        InetSocketAddress gateway = new InetSocketAddress("127.0.0.1", h.gateway.port());
        double timeoutsBefore = h.metric("gateway_limit_refusals_total{limit=\"handshake_timeout\"}");
        List<SocketChannel> halfOpen = new ArrayList<>();
        List<SocketChannel> slow = new ArrayList<>();
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int i = 0; i < HALF_OPEN; i++) {
                halfOpen.add(open(gateway));
            }
            byte[] head = ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + gateway.getPort()
                    + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nX-Slow: " + "s".repeat(200))
                    .getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < SLOW; i++) {
                slow.add(open(gateway));
            }
            // Every 50 ms, one more byte of the head on every slow socket still open (never the whole head).
            int[] written = {0};
            trickle.scheduleAtFixedRate(() -> {
                if (written[0] >= head.length) {
                    return;
                }
                ByteBuffer one = ByteBuffer.wrap(head, written[0]++, 1);
                for (SocketChannel c : slow) {
                    try {
                        c.write(one.duplicate());
                    } catch (IOException closedByTheGateway) {
                        // expected once the handshake timeout closed it
                    }
                }
            }, 0, 50, TimeUnit.MILLISECONDS);

            long opened = System.nanoTime();
            System.out.printf("opened %d half-open and %d slow sockets%n", HALF_OPEN, SLOW);
            // While all of that is open: new clients connect and chat, on both subprotocols.
            for (Subprotocol sp : Subprotocol.values()) {
                String room = "abuse-" + UUID.randomUUID();
                try (WsTestClient reader = h.connect(sp, "reader"); WsTestClient writer = h.connect(sp, "writer")) {
                    System.out.printf("%s: connected %d ms after opening the abuse%n", sp, (System.nanoTime() - opened) / 1_000_000);
                    reader.subscribeAndWait(room, WAIT);
                    System.out.printf("%s: subscribed %d ms after%n", sp, (System.nanoTime() - opened) / 1_000_000);
                    List<String> sent = new ArrayList<>();
                    for (int i = 0; i < 5; i++) {
                        String id = sp + "-" + i;
                        // One at a time (acknowledged before the next): the sender's order is then the room's.
                        int request = writer.publish(room, id, "message " + i);
                        writer.nextMatching(f -> f.hasAck() && f.getAck().getRequestId() == request, WAIT);
                        sent.add(id);
                    }
                    List<String> received = new ArrayList<>();
                    while (received.size() < sent.size()) {
                        ServerFrame f = reader.nextMatching(ServerFrame::hasMessage, WAIT);
                        received.add(f.getMessage().getId());
                    }
                    assertThat(received).containsExactlyElementsOf(sent);
                }
            }
            // Not asserted (it depends on timing), but shown: how much of the abuse was still open meanwhile.
            System.out.printf("abusive sockets still open after the chats (%d ms after opening them): %d of %d%n",
                    (System.nanoTime() - opened) / 1_000_000,
                    HALF_OPEN + SLOW - closedCount(halfOpen) - closedCount(slow), HALF_OPEN + SLOW);

            // The handshake timeout closes every one of them.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> closedCount(halfOpen) == HALF_OPEN && closedCount(slow) == SLOW);
            assertThat(h.metric("gateway_limit_refusals_total{limit=\"handshake_timeout\"}") - timeoutsBefore)
                    .isGreaterThanOrEqualTo(HALF_OPEN + SLOW);
        } finally {
            trickle.shutdownNow();
            closeAll(halfOpen);
            closeAll(slow);
        }
    }

    private static SocketChannel open(InetSocketAddress address) throws IOException {
        SocketChannel c = SocketChannel.open(address);
        c.configureBlocking(false);
        return c;
    }

    /** Sockets the gateway has closed (end of stream or reset); reads and drops whatever else arrived. */
    private static int closedCount(List<SocketChannel> channels) {
        int closed = 0;
        ByteBuffer sink = ByteBuffer.allocate(1024);
        for (SocketChannel c : channels) {
            try {
                sink.clear();
                int n;
                do {
                    n = c.read(sink);
                    sink.clear();
                } while (n > 0);
                if (n < 0) {
                    closed++;
                }
            } catch (IOException reset) {
                closed++;
            }
        }
        return closed;
    }

    private static void closeAll(List<SocketChannel> channels) {
        UncheckedIOException failure = null;
        for (SocketChannel c : channels) {
            try {
                c.close();
            } catch (IOException e) {
                failure = new UncheckedIOException(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
