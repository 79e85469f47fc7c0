package io.switchboard.bench;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline: one bare Helidon SE WebSocket server that broadcasts each publish to the in-memory subscribers
 * of its room, speaking just enough of the wire protocol, binary ({@value #SUBPROTOCOL}) or JSON
 * ({@value #JSON_SUBPROTOCOL}), that the load generators drive it unchanged: connect (any token), subscribe,
 * unsubscribe, publish with ack, ping. It has no authentication, no router hop, no Kafka and no durability: it shows what the
 * WebSocket layer alone costs on this machine. Thread-safe.
 */
public final class BroadcastBaseline implements AutoCloseable {
    /** The binary subprotocol. */
    public static final String SUBPROTOCOL = "switchboard.v1.proto";
    /** The JSON subprotocol. */
    public static final String JSON_SUBPROTOCOL = "switchboard.v1.json";

    private final ConcurrentMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final AtomicLong sessions = new AtomicLong();
    private final AtomicLong failedSends = new AtomicLong();
    private final Object lifecycle = new Object();
    // guarded by lifecycle
    private WebServer server;
    // guarded by lifecycle
    private boolean started;

    /** A room's subscribers and the last position handed out in it. */
    static final class Room {
        final Set<BaselineConnection> subscribers = ConcurrentHashMap.newKeySet();
        final AtomicLong position = new AtomicLong();
    }

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
                    .addRouting(WsRouting.builder().endpoint("/ws", () -> new BaselineConnection(this)))
                    .build()
                    .start();
            return this;
        }
    }

    /** The WebSocket endpoint. */
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

    /** Stops the server; safe to call more than once. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (server != null) {
                server.stop();
                server = null;
            }
        }
    }

    String nextSessionId() {
        return "baseline-" + sessions.incrementAndGet();
    }

    Room room(String name) {
        return rooms.computeIfAbsent(name, n -> new Room());
    }

    void unsubscribe(String name, BaselineConnection connection) {
        Room room = rooms.get(name);
        if (room != null) {
            room.subscribers.remove(connection);
        }
    }

    void sendFailed() {
        failedSends.incrementAndGet();
    }
}
