package io.switchboard.gateway.session;

import java.time.Clock;

import io.switchboard.proto.Names;
import io.switchboard.proto.client.v1.Connected;
import io.switchboard.proto.client.v1.Limits;
import io.switchboard.proto.client.v1.Ping;
import io.switchboard.proto.client.v1.Pong;
import io.switchboard.proto.client.v1.ServerFrame;

/**
 * The replies that carry the gateway's identity, limits or time: Connected (session, user, gateway id, server
 * time and the limits a client must respect) and Pong. Immutable and thread-safe; one per gateway.
 */
final class GatewayReplies {
    private final String gatewayId;
    private final Clock clock;
    private final Limits limits;

    GatewayReplies(String gatewayId, Clock clock, SessionSettings settings) {
        this.gatewayId = gatewayId;
        this.clock = clock;
        this.limits = Limits.newBuilder()
                .setMaxFrameBytes(settings.maxFrameBytes())
                .setMaxPayloadBytes(settings.maxPayloadBytes())
                .setMaxSubscriptions(settings.maxSubscriptions())
                .setMaxOutboundQueueBytes(settings.maxOutboundQueueBytes())
                .setMaxRoomLength(Names.MAX_ROOM_LENGTH)
                .setMaxIdLength(Names.MAX_ID_LENGTH)
                .build();
    }

    /** The answer to a successful Connect. */
    ServerFrame connected(String sessionId, String userId) {
        return ServerFrame.newBuilder().setConnected(Connected.newBuilder()
                .setSessionId(sessionId)
                .setUserId(userId)
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
