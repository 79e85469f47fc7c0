package io.switchboard.presence.state;

import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.internal.v1.ConnectionClosed;
import io.switchboard.proto.internal.v1.ConnectionOpened;
import io.switchboard.proto.internal.v1.ConnectionState;
import io.switchboard.proto.internal.v1.PresenceChange;
import io.switchboard.proto.internal.v1.ReportRequest;
import io.switchboard.proto.internal.v1.RoomJoined;
import io.switchboard.proto.internal.v1.RoomLeft;
import io.switchboard.proto.internal.v1.StatusSet;
import io.switchboard.proto.internal.v1.SyncRequest;

import java.util.List;

/** Builders for gateway reports in tests. Stateless. */
public final class Changes {
    private Changes() {
    }

    public static PresenceChange opened(String session, String user) {
        return PresenceChange.newBuilder().setOpened(ConnectionOpened.newBuilder().setSessionId(session)
                .setUserId(user).setClient("test/1")).build();
    }

    public static PresenceChange closed(String session) {
        return PresenceChange.newBuilder().setClosed(ConnectionClosed.newBuilder().setSessionId(session)).build();
    }

    public static PresenceChange joined(String session, String room) {
        return PresenceChange.newBuilder().setJoined(RoomJoined.newBuilder().setSessionId(session).setRoom(room))
                .build();
    }

    public static PresenceChange left(String session, String room) {
        return PresenceChange.newBuilder().setLeft(RoomLeft.newBuilder().setSessionId(session).setRoom(room)).build();
    }

    public static PresenceChange status(String session, PresenceStatus status, String text) {
        return PresenceChange.newBuilder().setStatus(StatusSet.newBuilder().setSessionId(session).setStatus(status)
                .setText(text)).build();
    }

    public static ReportRequest report(String gateway, String incarnation, long seq, PresenceChange... changes) {
        return ReportRequest.newBuilder().setGatewayId(gateway).setIncarnation(incarnation).setSeq(seq)
                .addAllChanges(List.of(changes)).build();
    }

    public static ConnectionState connection(String session, String user, String... rooms) {
        return ConnectionState.newBuilder().setSessionId(session).setUserId(user).setClient("test/1")
                .addAllRooms(List.of(rooms)).build();
    }

    public static SyncRequest sync(String gateway, String incarnation, long seq, ConnectionState... connections) {
        return SyncRequest.newBuilder().setGatewayId(gateway).setIncarnation(incarnation).setSeq(seq)
                .addAllConnections(List.of(connections)).build();
    }
}
