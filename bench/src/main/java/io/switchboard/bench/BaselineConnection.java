package io.switchboard.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connected;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.Pong;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.proto.client.v1.Unsubscribed;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One baseline WebSocket connection, binary ({@value BroadcastBaseline#SUBPROTOCOL}) or JSON
 * ({@value BroadcastBaseline#JSON_SUBPROTOCOL}, protobuf's canonical JSON mapping like the gateway's): Connect is answered without checking the token, Subscribe and Unsubscribe
 * change in-memory room membership, and Publish is sent synchronously to every subscriber of the room, then
 * acknowledged. Helidon calls a listener from its connection's own thread; sends from other connections'
 * threads are serialised by {@link #sendLock}. Thread-safe.
 */
final class BaselineConnection implements WsListener {
    private static final Logger LOG = Logger.getLogger(BaselineConnection.class.getName());
    private static final HeaderName PROTOCOL = HeaderNames.create("Sec-WebSocket-Protocol");
    private static final int PROTOCOL_ERROR = 3502;
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private final BroadcastBaseline baseline;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    // Only touched by this connection's reader thread.
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final StringBuilder textParts = new StringBuilder();
    private volatile WsSession session;
    private volatile boolean connected;
    private volatile boolean broken;
    private volatile String sessionId;
    private volatile boolean json;

    BaselineConnection(BroadcastBaseline baseline) {
        this.baseline = baseline;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        // The client's first offer that the baseline speaks.
        String chosen = !headers.contains(PROTOCOL) ? null : headers.values(PROTOCOL).stream()
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim)
                .filter(v -> v.equals(BroadcastBaseline.SUBPROTOCOL) || v.equals(BroadcastBaseline.JSON_SUBPROTOCOL))
                .findFirst().orElse(null);
        if (chosen == null) {
            throw new WsUpgradeException("subprotocol " + BroadcastBaseline.SUBPROTOCOL + " or "
                    + BroadcastBaseline.JSON_SUBPROTOCOL + " not offered");
        }
        WritableHeaders<?> reply = WritableHeaders.create();
        reply.set(PROTOCOL, chosen);
        return Optional.of(reply);
    }

    @Override
    public void onOpen(WsSession wsSession) {
        this.json = wsSession.subProtocol().map(BroadcastBaseline.JSON_SUBPROTOCOL::equals).orElse(false);
        this.session = wsSession;
    }

    @Override
    public void onMessage(WsSession wsSession, BufferData buffer, boolean last) {
        if (json) {
            wsSession.close(WsCloseCodes.CANNOT_ACCEPT, "text frames only");
            return;
        }
        byte[] bytes = buffer.readBytes();
        if (!last) {
            partial.writeBytes(bytes);
            return;
        }
        if (partial.size() > 0) {
            partial.writeBytes(bytes);
            bytes = partial.toByteArray();
            partial.reset();
        }
        ClientFrame frame;
        try {
            frame = ClientFrame.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            wsSession.close(PROTOCOL_ERROR, "malformed frame");
            return;
        }
        handle(frame);
    }

    @Override
    public void onMessage(WsSession wsSession, String text, boolean last) {
        if (!json) {
            wsSession.close(WsCloseCodes.CANNOT_ACCEPT, "binary frames only");
            return;
        }
        if (!last) {
            textParts.append(text);
            return;
        }
        String whole = text;
        if (!textParts.isEmpty()) {
            whole = textParts.append(text).toString();
            textParts.setLength(0);
        }
        ClientFrame.Builder frame = ClientFrame.newBuilder();
        try {
            PARSER.merge(whole, frame);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            wsSession.close(PROTOCOL_ERROR, "malformed frame");
            return;
        }
        handle(frame.build());
    }

    @Override
    public void onClose(WsSession wsSession, int status, String reason) {
        leaveAll();
    }

    @Override
    public void onError(WsSession wsSession, Throwable t) {
        LOG.log(Level.FINE, "baseline connection failed", t);
        leaveAll();
    }

    private void handle(ClientFrame frame) {
        if (!connected && !frame.hasConnect()) {
            session.close(PROTOCOL_ERROR, "Connect first");
            return;
        }
        switch (frame.getFrameCase()) {
            case CONNECT -> {
                connected = true;
                sessionId = baseline.nextSessionId();
                send(ServerFrame.newBuilder().setConnected(Connected.newBuilder()
                        .setSessionId(sessionId).setGatewayId("baseline").setServerTime(now())).build());
            }
            case SUBSCRIBE -> {
                String room = frame.getSubscribe().getRoom();
                rooms.add(room);
                baseline.room(room).subscribers.add(this);
                send(ServerFrame.newBuilder().setSubscribed(Subscribed.newBuilder()
                        .setRequestId(frame.getSubscribe().getRequestId()).setRoom(room).setEpoch("baseline"))
                        .build());
            }
            case UNSUBSCRIBE -> {
                String room = frame.getUnsubscribe().getRoom();
                rooms.remove(room);
                baseline.unsubscribe(room, this);
                send(ServerFrame.newBuilder().setUnsubscribed(Unsubscribed.newBuilder()
                        .setRequestId(frame.getUnsubscribe().getRequestId()).setRoom(room)).build());
            }
            case PUBLISH -> publish(frame.getPublish());
            case PING -> send(ServerFrame.newBuilder().setPong(Pong.newBuilder()
                    .setNonce(frame.getPing().getNonce()).setServerTime(now())).build());
            default -> session.close(PROTOCOL_ERROR, "unknown frame");
        }
    }

    // Encoded once per subprotocol, then written to each subscriber in turn from this (the publisher's) thread.
    private void publish(Publish publish) {
        BroadcastBaseline.Room room = baseline.room(publish.getRoom());
        long position = room.position.incrementAndGet();
        ServerFrame message = ServerFrame.newBuilder().setMessage(Message.newBuilder()
                .setRoom(publish.getRoom()).setPosition(position).setId(publish.getId()).setSender(sessionId)
                .setPayload(publish.getPayload()).setContentType(publish.getContentType())
                .setTimestamp(now()).setEpoch("baseline")).build();
        byte[] binary = null;
        String text = null;
        for (BaselineConnection subscriber : room.subscribers) {
            if (subscriber.json) {
                if (text == null) {
                    text = print(message);
                }
                subscriber.sendText(text);
            } else {
                if (binary == null) {
                    binary = message.toByteArray();
                }
                subscriber.sendBinary(binary);
            }
        }
        if (publish.getAck()) {
            send(ServerFrame.newBuilder().setAck(Ack.newBuilder()
                    .setRequestId(publish.getRequestId()).setRoom(publish.getRoom()).setId(publish.getId())
                    .setPosition(position).setEpoch("baseline")).build());
        }
    }

    private void send(ServerFrame frame) {
        if (json) {
            sendText(print(frame));
        } else {
            sendBinary(frame.toByteArray());
        }
    }

    private static String print(ServerFrame frame) {
        try {
            return PRINTER.print(frame);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + frame.getFrameCase(), e);
        }
    }

    private void sendBinary(byte[] frame) {
        write(s -> s.send(BufferData.create(frame), true));
    }

    private void sendText(String frame) {
        write(s -> s.send(frame, true));
    }

    private void write(java.util.function.Consumer<WsSession> sending) {
        WsSession s = session;
        if (s == null || broken) {
            return;
        }
        sendLock.lock();
        try {
            sending.accept(s);
        } catch (RuntimeException e) {
            // The peer is gone: drop it from every room so one dead socket does not fail every later broadcast.
            broken = true;
            baseline.sendFailed();
            LOG.log(Level.FINE, "send to " + sessionId + " failed; dropping the connection", e);
            leaveAll();
        } finally {
            sendLock.unlock();
        }
    }

    private void leaveAll() {
        for (String room : rooms) {
            baseline.unsubscribe(room, this);
        }
        rooms.clear();
    }

    private static Timestamp now() {
        Instant now = Instant.now();
        return Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
    }
}
