package io.switchboard.bench;

import com.google.protobuf.InvalidProtocolBufferException;
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
import io.switchboard.bench.baseline.BaselineFrames;
import io.switchboard.bench.baseline.BaselinePeer;
import io.switchboard.bench.baseline.BaselineRooms;
import io.switchboard.bench.baseline.BaselineSession;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ServerFrame;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Helidon baseline WebSocket connection, binary ({@value BaselineFrames#SUBPROTOCOL}) or JSON
 * ({@value BaselineFrames#JSON_SUBPROTOCOL}): frames are reassembled and parsed here and handled by its
 * {@link BaselineSession}; a publish is sent synchronously to every subscriber from the publisher's thread, then
 * acknowledged. Helidon calls a listener from its connection's own thread; sends from other connections' threads
 * are serialised by {@link #sendLock}. Thread-safe.
 */
final class BaselineConnection implements WsListener, BaselinePeer<BaselineConnection> {
    private static final Logger LOG = Logger.getLogger(BaselineConnection.class.getName());
    private static final HeaderName PROTOCOL = HeaderNames.create("Sec-WebSocket-Protocol");

    private final BaselineSession<BaselineConnection> protocol;
    private final Runnable sendFailed;
    private final ReentrantLock sendLock = new ReentrantLock();
    // Only touched by this connection's reader thread.
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final StringBuilder textParts = new StringBuilder();
    private volatile WsSession session;
    private volatile boolean broken;
    private volatile boolean json;

    /** A connection in {@code rooms}; {@code sendFailed} counts each send that broke it. */
    BaselineConnection(BaselineRooms<BaselineConnection> rooms, Runnable sendFailed) {
        this.protocol = new BaselineSession<>(rooms, this);
        this.sendFailed = sendFailed;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        String chosen = BaselineFrames.chooseSubprotocol(headers.contains(PROTOCOL) ? headers.values(PROTOCOL) : List.of());
        if (chosen == null) {
            throw new WsUpgradeException("subprotocol " + BaselineFrames.SUBPROTOCOL + " or "
                    + BaselineFrames.JSON_SUBPROTOCOL + " not offered");
        }
        WritableHeaders<?> reply = WritableHeaders.create();
        reply.set(PROTOCOL, chosen);
        return Optional.of(reply);
    }

    @Override
    public void onOpen(WsSession wsSession) {
        this.json = wsSession.subProtocol().map(BaselineFrames.JSON_SUBPROTOCOL::equals).orElse(false);
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
        handle(ByteBuffer.wrap(bytes), BaselineFrames::parseBinary);
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
        handle(whole, BaselineFrames::parseJson);
    }

    /** A whole message read as a client frame of its subprotocol. */
    private interface FrameParser<M> {
        ClientFrame parse(M message) throws InvalidProtocolBufferException;
    }

    /** Hands the frame {@code message} holds to the protocol; refuses the connection if it is malformed. */
    private <M> void handle(M message, FrameParser<M> parser) {
        ClientFrame frame;
        try {
            frame = parser.parse(message);
        } catch (InvalidProtocolBufferException e) {
            refuse("malformed frame");
            return;
        }
        protocol.handle(frame);
    }

    @Override
    public void onClose(WsSession wsSession, int status, String reason) {
        protocol.leaveAll();
    }

    @Override
    public void onError(WsSession wsSession, Throwable t) {
        LOG.log(Level.FINE, "baseline connection failed", t);
        protocol.leaveAll();
    }

    @Override
    public void reply(ServerFrame frame) {
        if (json) {
            sendText(BaselineFrames.json(frame));
        } else {
            sendBinary(frame.toByteArray());
        }
    }

    @Override
    public void refuse(String reason) {
        session.close(BaselineFrames.PROTOCOL_ERROR, reason);
    }

    // Encoded once per subprotocol, then written to each subscriber in turn from this (the publisher's) thread.
    @Override
    public void broadcast(Collection<BaselineConnection> subscribers, ServerFrame message) {
        byte[] binary = null;
        String text = null;
        for (BaselineConnection subscriber : subscribers) {
            if (subscriber.json) {
                if (text == null) {
                    text = BaselineFrames.json(message);
                }
                subscriber.sendText(text);
            } else {
                if (binary == null) {
                    binary = message.toByteArray();
                }
                subscriber.sendBinary(binary);
            }
        }
    }

    private void sendBinary(byte[] frame) {
        write(s -> s.send(BufferData.create(frame), true));
    }

    private void sendText(String frame) {
        write(s -> s.send(frame, true));
    }

    private void write(Consumer<WsSession> sending) {
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
            sendFailed.run();
            LOG.log(Level.FINE, "send to a baseline connection failed; dropping it", e);
            protocol.leaveAll();
        } finally {
            sendLock.unlock();
        }
    }
}
