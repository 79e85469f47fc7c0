package io.switchboard.proto;

import com.google.protobuf.Timestamp;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.SendToUserRequest;
import io.switchboard.proto.internal.v1.UserDelivery;

/**
 * Builds the client {@link Message} of a stored {@link Envelope}: the one mapping shared by the gateways' live
 * fan-out and history replies and the public API's history reads, so a message looks the same whichever path
 * delivered it; and the {@link UserDelivery} of a direct message, as a router writes it to the control topic.
 * Stateless, thread-safe.
 */
public final class Messages {
    private Messages() {
    }

    /**
     * @param room     the room (the record key, or the room the history was read for)
     * @param position the message's position (the record offset)
     * @param epoch    the epoch of the room's log
     * @param stored   when the message was stored
     */
    public static Message of(String room, Envelope env, long position, String epoch, Timestamp stored) {
        return Message.newBuilder()
                .setRoom(room)
                .setPosition(position)
                .setId(env.getId())
                .setSender(env.getSender().getUserId())
                .setPayload(env.getPayload())
                .setContentType(env.getContentType())
                .setTimestamp(stored)
                .setEpoch(epoch)
                .setConflationKey(env.getConflationKey())
                .build();
    }

    /** A message read from history: position and stored time come from the envelope itself. */
    public static Message ofStored(String room, Envelope env, String fallbackEpoch) {
        String epoch = env.getPosition().getEpoch().isEmpty() ? fallbackEpoch : env.getPosition().getEpoch();
        return of(room, env, env.getPosition().getOffset(), epoch, env.getStoredTime());
    }

    /** A protobuf timestamp of epoch milliseconds (Kafka record timestamps). */
    public static Timestamp millis(long epochMillis) {
        return Timestamp.newBuilder().setSeconds(Math.floorDiv(epochMillis, 1000))
                .setNanos(Math.floorMod(epochMillis, 1000) * 1_000_000).build();
    }

    /** The delivery to a user's connections of the direct message {@code request} asks for. */
    public static UserDelivery delivery(SendToUserRequest request) {
        return UserDelivery.newBuilder()
                .setUserId(request.getUserId())
                .setId(request.getId())
                .setSender(request.getSender())
                .setPayload(request.getPayload())
                .setContentType(request.getContentType())
                .build();
    }
}
