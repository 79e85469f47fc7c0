package io.switchboard.gateway.fanout;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import io.switchboard.proto.client.v1.ServerFrame;

/**
 * One room message built once per Kafka record and shared by every subscriber, with its wire encodings cached
 * per subprotocol so a record is serialized at most once per subprotocol, not once per subscriber. Also carries
 * signals (ephemeral and presence events) the same way. Not thread-safe: confined to the thread that dispatches it
 * (subscribers call {@link #encoded} inside {@link Subscriber#deliver} or {@link Subscriber#signal}); the encoded
 * values themselves are immutable and may be handed to other threads.
 */
public final class FanoutMessage {
    private final String room;
    private final ServerFrame frame;
    private final Map<Object, Object> encodings = new HashMap<>(4);

    public FanoutMessage(String room, ServerFrame frame) {
        this.room = room;
        this.frame = frame;
    }

    public String room() {
        return room;
    }

    public ServerFrame frame() {
        return frame;
    }

    /**
     * The frame encoded for {@code key} (a subprotocol), computed by {@code encoder} on first use and cached.
     *
     * @param <T> the encoded type
     */
    @SuppressWarnings("unchecked")
    public <T> T encoded(Object key, Function<ServerFrame, T> encoder) {
        return (T) encodings.computeIfAbsent(key, k -> encoder.apply(frame));
    }
}
