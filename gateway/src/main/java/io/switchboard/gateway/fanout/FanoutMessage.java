package io.switchboard.gateway.fanout;

import io.switchboard.gateway.ws.OutboundFrame;
import io.switchboard.gateway.ws.Subprotocol;
import io.switchboard.proto.client.v1.ServerFrame;

/**
 * One room message built once per Kafka record and shared by every subscriber, with its wire encodings cached
 * per subprotocol so a record is serialized at most once per subprotocol, not once per subscriber. Also carries
 * signals (ephemeral and presence events) the same way. Not thread-safe: confined to the thread that dispatches it
 * (subscribers call {@link #encoded} inside {@link Subscriber#deliver} or {@link Subscriber#signal}); the encoded
 * values themselves are immutable and may be handed to other threads.
 */
public final class FanoutMessage {
    private static final int SUBPROTOCOLS = Subprotocol.values().length;

    private final String room;
    private final ServerFrame frame;
    // Indexed by the subprotocol's ordinal: one array read per subscriber, no map entry or lambda.
    private final OutboundFrame[] encodings = new OutboundFrame[SUBPROTOCOLS];

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

    /** The frame in {@code subprotocol}'s encoding, encoded on first use and cached for the other subscribers. */
    public OutboundFrame encoded(Subprotocol subprotocol) {
        OutboundFrame encoded = encodings[subprotocol.ordinal()];
        if (encoded == null) {
            encoded = subprotocol.codec().encode(frame);
            encodings[subprotocol.ordinal()] = encoded;
        }
        return encoded;
    }
}
