package io.switchboard.bench.baseline;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One baseline connection's protocol: Connect is answered without checking the token, Subscribe and Unsubscribe
 * change in-memory room membership, Publish is broadcast to the room's subscribers and then acknowledged, Ping is
 * answered; anything before Connect, or unknown, closes with {@link BaselineFrames#PROTOCOL_ERROR}. Frames are
 * handed in one at a time by the connection's reader; {@link #leaveAll()} may be called from any thread.
 *
 * @param <P> the transport's connection type
 */
public final class BaselineSession<P extends BaselinePeer<P>> {
    private final BaselineRooms<P> rooms;
    private final P peer;
    private final Set<String> joined = ConcurrentHashMap.newKeySet();
    // Written by the reader; read by it alone.
    private boolean connected;
    private String sessionId;

    /** A session of {@code peer} in {@code rooms}. */
    public BaselineSession(BaselineRooms<P> rooms, P peer) {
        this.rooms = rooms;
        this.peer = peer;
    }

    /** Handles one client frame. */
    public void handle(ClientFrame frame) {
        if (!connected && !frame.hasConnect()) {
            peer.refuse("Connect first");
            return;
        }
        switch (frame.getFrameCase()) {
            case CONNECT -> {
                connected = true;
                sessionId = rooms.nextSessionId();
                peer.reply(BaselineFrames.connected(sessionId));
            }
            case SUBSCRIBE -> {
                String room = frame.getSubscribe().getRoom();
                joined.add(room);
                rooms.join(room, peer);
                peer.reply(BaselineFrames.subscribed(frame.getSubscribe().getRequestId(), room));
            }
            case UNSUBSCRIBE -> {
                String room = frame.getUnsubscribe().getRoom();
                joined.remove(room);
                rooms.leave(room, peer);
                peer.reply(BaselineFrames.unsubscribed(frame.getUnsubscribe().getRequestId(), room));
            }
            case PUBLISH -> publish(frame.getPublish());
            case PING -> peer.reply(BaselineFrames.pong(frame.getPing().getNonce()));
            default -> peer.refuse("unknown frame");
        }
    }

    /** Leaves every room this session joined: its connection closed or broke. */
    public void leaveAll() {
        for (String room : joined) {
            rooms.leave(room, peer);
        }
        joined.clear();
    }

    private void publish(Publish publish) {
        BaselineRooms.Room<P> room = rooms.room(publish.getRoom());
        long position = room.nextPosition();
        ServerFrame message = BaselineFrames.message(publish, position, sessionId);
        peer.broadcast(room.subscribers(), message);
        if (publish.getAck()) {
            peer.reply(BaselineFrames.ack(publish, position));
        }
    }
}
