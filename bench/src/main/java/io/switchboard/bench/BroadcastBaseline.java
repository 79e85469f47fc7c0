package io.switchboard.bench;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.switchboard.bench.baseline.BaselineFrames;
import io.switchboard.bench.baseline.BaselineRooms;
import io.switchboard.bench.baseline.BroadcastServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline: one bare Helidon SE WebSocket server that broadcasts each publish to the in-memory subscribers
 * of its room, speaking just enough of the wire protocol, binary ({@value #SUBPROTOCOL}) or JSON
 * ({@value #JSON_SUBPROTOCOL}), that the load generators drive it unchanged: connect (any token), subscribe,
 * unsubscribe, publish with ack, ping. It has no authentication, no router hop, no Kafka and no durability: it shows what the
 * WebSocket layer alone costs on this machine. Thread-safe.
 */
public final class BroadcastBaseline implements BroadcastServer {
    /** The binary subprotocol. */
    public static final String SUBPROTOCOL = BaselineFrames.SUBPROTOCOL;
    /** The JSON subprotocol. */
    public static final String JSON_SUBPROTOCOL = BaselineFrames.JSON_SUBPROTOCOL;

    private final BaselineRooms<BaselineConnection> rooms = new BaselineRooms<>();
    private final AtomicLong failedSends = new AtomicLong();
    private final Object lifecycle = new Object();
    // guarded by lifecycle
    private WebServer server;
    // guarded by lifecycle
    private boolean started;

    /** Binds loopback on a free port and starts serving {@code /ws}; fails if already started. */
    public BroadcastBaseline start() {
        return start(0);
    }

    /** Binds loopback on {@code port} (0: a free one) and starts serving {@code /ws}; fails if already started. */
    public BroadcastBaseline start(int port) {
        synchronized (lifecycle) {
            if (started) {
                throw new IllegalStateException("Already started");
            }
            started = true;
            server = WebServer.builder()
                    .host("127.0.0.1")
                    .port(port)
                    .shutdownHook(false)
                    .shutdownGracePeriod(Duration.ofMillis(500))
                    .addRouting(WsRouting.builder().endpoint("/ws", () -> new BaselineConnection(rooms, this::sendFailed)))
                    .build()
                    .start();
            return this;
        }
    }

    @Override
    public URI webSocketUri() {
        synchronized (lifecycle) {
            if (server == null) {
                throw new IllegalStateException("Not started");
            }
            return URI.create("ws://127.0.0.1:" + server.port() + "/ws");
        }
    }

    /** Sends that failed because a subscriber's connection broke (that subscriber is dropped). */
    public long failedSends() {
        return failedSends.get();
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (server != null) {
                server.stop();
                server = null;
            }
        }
    }

    private void sendFailed() {
        failedSends.incrementAndGet();
    }
}
