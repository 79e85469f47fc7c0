package io.switchboard.gateway.session;

import java.time.Clock;

import io.switchboard.proto.Inboxes;
import io.switchboard.proto.Names;
import io.switchboard.proto.client.v1.Connected;
import io.switchboard.proto.client.v1.Limits;
import io.switchboard.proto.client.v1.Ping;
import io.switchboard.proto.client.v1.Pong;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.roomlog.RoomLogTopic;

/**
 * The replies that carry the gateway's identity, limits or time: Connected (session, user, the user's inbox and
 * its epoch, gateway id, server time and the limits a client must respect) and Pong. Immutable and thread-safe; one per gateway.
 */
final class GatewayReplies {
    private final String gatewayId;
    private final Clock clock;
    private final Limits limits;
    /** The rooms topic, for the epoch of the user's inbox. */
    private final RoomLogTopic layout;

    GatewayReplies(String gatewayId, Clock clock, SessionSettings settings, RoomLogTopic layout) {
        this.gatewayId = gatewayId;
        this.clock = clock;
        this.layout = layout;
        this.limits = Limits.newBuilder()
                .setMaxFrameBytes(settings.maxFrameBytes())
                .setMaxPayloadBytes(settings.maxPayloadBytes())
                .setMaxSubscriptions(settings.maxSubscriptions())
                .setMaxOutboundQueueBytes(settings.maxOutboundQueueBytes())
                .setMaxRoomLength(Names.MAX_ROOM_LENGTH)
                .setMaxIdLength(Names.MAX_ID_LENGTH)
                .build();
    }

    /** The answer to a successful Connect, naming the user's inbox (the room of their stored direct messages). */
    ServerFrame connected(String sessionId, String userId) {
        String inbox = Inboxes.roomOf(userId);
        return ServerFrame.newBuilder().setConnected(Connected.newBuilder()
                .setSessionId(sessionId)
                .setUserId(userId)
                .setInbox(inbox)
                .setInboxEpoch(layout.epochOf(inbox))
                .setServerTime(ServerFrames.timestamp(clock.instant()))
                .setGatewayId(gatewayId)
                .setLimits(limits)).build();
    }

    /** The answer to a Ping: its nonce and the server's time. */
    ServerFrame pong(Ping ping) {
        return ServerFrame.newBuilder().setPong(Pong.newBuilder()
                .setNonce(ping.getNonce())
                .setServerTime(ServerFrames.timestamp(clock.instant()))).build();
    }
}
