package io.switchboard.router.api;

import com.google.protobuf.Timestamp;
import io.switchboard.proto.Messages;
import io.switchboard.proto.api.v1.Connection;
import io.switchboard.proto.api.v1.ListConnectionsResponse;
import io.switchboard.proto.api.v1.PublishRequest;
import io.switchboard.proto.api.v1.SendToUserRequest;
import io.switchboard.proto.api.v1.PublishResult;
import io.switchboard.proto.api.v1.ReadHistoryResponse;
import io.switchboard.proto.api.v1.RoomPresenceResponse;
import io.switchboard.proto.api.v1.UserPresence;
import io.switchboard.proto.api.v1.UserPresenceResponse;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.GatewayConnectionsResponse;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.ReadResponse;
import io.switchboard.proto.internal.v1.RoomMembersResponse;
import io.switchboard.proto.internal.v1.Sender;
import java.time.Instant;
import java.util.Map;

/**
 * Maps between SwitchboardApi messages and internal ones. History messages are built exactly like the gateway
 * builds client messages ({@link Messages#ofStored}, as the gateways do), so a backend sees what clients see. Stateless.
 */
final class ApiMessages {
    /** The gateway id of everything a backend sends through the API. */
    static final String API_GATEWAY_ID = "api";

    private ApiMessages() {
    }

    /** The sender of a backend's publishes and direct messages: {@code "service:<sub>"} from gateway "api". */
    static Sender sender(ServiceIdentity identity) {
        return Sender.newBuilder().setUserId(identity.senderUserId()).setGatewayId(API_GATEWAY_ID).build();
    }

    /** @param trace the call's W3C trace context ({@link TraceMetadata}), passed on to the router's spans */
    static io.switchboard.proto.internal.v1.PublishRequest publish(PublishRequest r, ServiceIdentity identity,
                                                                  Map<String, String> trace, Instant received) {
        return io.switchboard.proto.internal.v1.PublishRequest.newBuilder()
                .putAllTraceContext(trace)
                .setEnvelope(Envelope.newBuilder()
                        .setId(r.getId())
                        .setRoom(r.getRoom())
                        .setSender(sender(identity))
                        .setPayload(r.getPayload())
                        .setContentType(r.getContentType())
                        .setConflationKey(r.getConflationKey())
                        .setTraceId(TraceMetadata.traceId(trace))
                        .setReceivedTime(timestamp(received)))
                .build();
    }

    /** A backend's stored direct message: an envelope into {@code inbox}, marked {@code direct}. */
    static io.switchboard.proto.internal.v1.PublishRequest storedDirect(SendToUserRequest r, String inbox,
                                                                       ServiceIdentity identity,
                                                                       Map<String, String> trace, Instant received) {
        return io.switchboard.proto.internal.v1.PublishRequest.newBuilder()
                .putAllTraceContext(trace)
                .setEnvelope(Envelope.newBuilder()
                        .setId(r.getId())
                        .setRoom(inbox)
                        .setDirect(true)
                        .setSender(sender(identity))
                        .setPayload(r.getPayload())
                        .setContentType(r.getContentType())
                        .setTraceId(TraceMetadata.traceId(trace))
                        .setReceivedTime(timestamp(received)))
                .build();
    }

    static PublishResult result(String room, String id, PublishResponse response) {
        return PublishResult.newBuilder()
                .setRoom(room)
                .setId(id)
                .setPosition(response.getPosition().getOffset())
                .setEpoch(response.getPosition().getEpoch())
                .setStoredTime(response.getStoredTime())
                .setDuplicate(response.getDuplicate())
                .build();
    }

    static RoomPresenceResponse roomPresence(RoomMembersResponse r) {
        return RoomPresenceResponse.newBuilder()
                .addAllMembers(r.getMembersList())
                .setHasMore(r.getHasMore())
                .setNextAfterUser(r.getNextAfterUser())
                .setUsers(r.getUsers())
                .setConnections(r.getConnections())
                .build();
    }

    static UserPresenceResponse userPresence(io.switchboard.proto.internal.v1.UserPresenceResponse r) {
        UserPresenceResponse.Builder b = UserPresenceResponse.newBuilder();
        for (io.switchboard.proto.internal.v1.UserPresence u : r.getUsersList()) {
            UserPresence.Builder user = UserPresence.newBuilder()
                    .setUserId(u.getUserId())
                    .setStatus(u.getStatus())
                    .setStatusText(u.getStatusText());
            u.getConnectionsList().forEach(c -> user.addConnections(connection(c)));
            b.addUsers(user);
        }
        return b.build();
    }

    static ListConnectionsResponse connections(GatewayConnectionsResponse r) {
        ListConnectionsResponse.Builder b = ListConnectionsResponse.newBuilder()
                .setHasMore(r.getHasMore())
                .setNextAfterSession(r.getNextAfterSession());
        r.getConnectionsList().forEach(c -> b.addConnections(connection(c)));
        return b.build();
    }

    static Connection connection(io.switchboard.proto.internal.v1.Connection c) {
        return Connection.newBuilder()
                .setSessionId(c.getSessionId())
                .setUserId(c.getUserId())
                .setGatewayId(c.getGatewayId())
                .setClient(c.getClient())
                .setOpenedTime(c.getOpenedTime())
                .addAllRooms(c.getRoomsList())
                .build();
    }

    static ReadHistoryResponse history(String room, ReadResponse r) {
        ReadHistoryResponse.Builder b = ReadHistoryResponse.newBuilder()
                .setRoom(room)
                .setEpoch(r.getEpoch())
                .setHasMore(r.getHasMore());
        for (Envelope env : r.getMessagesList()) {
            b.addMessages(Messages.ofStored(room, env, r.getEpoch()));
        }
        return b.build();
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
