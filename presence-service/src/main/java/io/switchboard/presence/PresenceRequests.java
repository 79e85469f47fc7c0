package io.switchboard.presence;

import io.switchboard.proto.Names;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.internal.v1.ConnectionState;
import io.switchboard.proto.internal.v1.GatewayConnectionsRequest;
import io.switchboard.proto.internal.v1.PresenceChange;
import io.switchboard.proto.internal.v1.ReportRequest;
import io.switchboard.proto.internal.v1.RoomCountsRequest;
import io.switchboard.proto.internal.v1.RoomMembersRequest;
import io.switchboard.proto.internal.v1.SyncRequest;
import io.switchboard.proto.internal.v1.UserPresenceRequest;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks PresenceService requests before anything is applied (a batch is taken whole or not at all). Each
 * method returns why a request is invalid, in the house shape {@code "field: value (expected: ...)"}, or empty.
 * Stateless, hence thread-safe.
 */
final class PresenceRequests {
    /** Pages and lists hold at most this many items (presence.proto). */
    static final int MAX_ITEMS = 1000;
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_STATUS_TEXT = 128;
    static final int MAX_USER_ID = Names.MAX_USER_ID_LENGTH;
    static final int MAX_SESSION_ID = 128;
    static final int MAX_CLIENT = 256;

    private static final Pattern GATEWAY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private PresenceRequests() {
    }

    static Optional<String> report(ReportRequest r) {
        Optional<String> problem = gateway(r.getGatewayId(), r.getIncarnation());
        if (problem.isPresent()) {
            return problem;
        }
        if (r.getSeq() == 0) {
            return Optional.of("seq: 0 (expected: >= 1)");
        }
        List<PresenceChange> changes = r.getChangesList();
        for (int i = 0; i < changes.size(); i++) {
            int index = i;
            problem = change(changes.get(i)).map(p -> "changes[" + index + "]." + p);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    static Optional<String> sync(SyncRequest r) {
        Optional<String> problem = gateway(r.getGatewayId(), r.getIncarnation());
        if (problem.isPresent()) {
            return problem;
        }
        Set<String> sessions = new HashSet<>();
        List<ConnectionState> connections = r.getConnectionsList();
        for (int i = 0; i < connections.size(); i++) {
            ConnectionState c = connections.get(i);
            String at = "connections[" + i + "].";
            problem = session(c.getSessionId()).or(() -> user(c.getUserId())).or(() -> client(c.getClient()))
                    .or(() -> status(c.getStatus(), c.getStatusText()).map(p -> p.replace("text:", "status_text:")))
                    .or(() -> c.getRoomsList().stream().map(PresenceRequests::room).flatMap(Optional::stream)
                            .findFirst());
            if (problem.isPresent()) {
                return Optional.of(at + problem.get());
            }
            if (!sessions.add(c.getSessionId())) {
                return Optional.of(at + "session_id: '" + c.getSessionId() + "' (expected: unique in the snapshot)");
            }
        }
        return Optional.empty();
    }

    static Optional<String> roomMembers(RoomMembersRequest r) {
        return room(r.getRoom()).or(() -> limit(r.getLimit()))
                .or(() -> r.getAfterUser().length() > MAX_USER_ID
                        ? Optional.of("after_user: " + r.getAfterUser().length() + " characters (expected: <= "
                        + MAX_USER_ID + ")") : Optional.empty());
    }

    static Optional<String> roomCounts(RoomCountsRequest r) {
        if (r.getRoomsCount() > MAX_ITEMS) {
            return Optional.of("rooms: " + r.getRoomsCount() + " (expected: <= " + MAX_ITEMS + ")");
        }
        return r.getRoomsList().stream().map(PresenceRequests::room).flatMap(Optional::stream).findFirst();
    }

    static Optional<String> userPresence(UserPresenceRequest r) {
        if (r.getUserIdsCount() > MAX_ITEMS) {
            return Optional.of("user_ids: " + r.getUserIdsCount() + " (expected: <= " + MAX_ITEMS + ")");
        }
        return r.getUserIdsList().stream().map(PresenceRequests::user).flatMap(Optional::stream).findFirst();
    }

    static Optional<String> gatewayConnections(GatewayConnectionsRequest r) {
        if (!GATEWAY_ID.matcher(r.getGatewayId()).matches()) {
            return Optional.of("gateway_id: '" + printable(r.getGatewayId()) + "' (expected: 1-128 of [A-Za-z0-9._:-])");
        }
        return limit(r.getLimit()).or(() -> r.getAfterSession().length() > MAX_SESSION_ID
                ? Optional.of("after_session: " + r.getAfterSession().length() + " characters (expected: <= "
                + MAX_SESSION_ID + ")") : Optional.empty());
    }

    /** The page size a valid {@code limit} stands for. */
    static int pageSize(int limit) {
        return limit == 0 ? DEFAULT_LIMIT : limit;
    }

    private static Optional<String> change(PresenceChange c) {
        return switch (c.getChangeCase()) {
            case OPENED -> session(c.getOpened().getSessionId()).or(() -> user(c.getOpened().getUserId()))
                    .or(() -> client(c.getOpened().getClient())).map(p -> "opened." + p);
            case CLOSED -> session(c.getClosed().getSessionId()).map(p -> "closed." + p);
            case JOINED -> session(c.getJoined().getSessionId()).or(() -> room(c.getJoined().getRoom()))
                    .map(p -> "joined." + p);
            case LEFT -> session(c.getLeft().getSessionId()).or(() -> room(c.getLeft().getRoom()))
                    .map(p -> "left." + p);
            case STATUS -> session(c.getStatus().getSessionId())
                    .or(() -> status(c.getStatus().getStatus(), c.getStatus().getText())).map(p -> "status." + p);
            case CHANGE_NOT_SET -> Optional.of("change: not set (expected: opened, closed, joined, left or status)");
        };
    }

    private static Optional<String> gateway(String gatewayId, String incarnation) {
        if (!GATEWAY_ID.matcher(gatewayId).matches()) {
            return Optional.of("gateway_id: '" + printable(gatewayId) + "' (expected: 1-128 of [A-Za-z0-9._:-])");
        }
        if (!GATEWAY_ID.matcher(incarnation).matches()) {
            return Optional.of("incarnation: '" + printable(incarnation) + "' (expected: 1-128 of [A-Za-z0-9._:-])");
        }
        return Optional.empty();
    }

    private static Optional<String> session(String sessionId) {
        return text("session_id", sessionId, MAX_SESSION_ID, true);
    }

    private static Optional<String> user(String userId) {
        return text("user_id", userId, MAX_USER_ID, true);
    }

    private static Optional<String> client(String client) {
        return text("client", client, MAX_CLIENT, false);
    }

    private static Optional<String> room(String room) {
        return Names.roomProblem(room);
    }

    private static Optional<String> status(PresenceStatus status, String text) {
        if (status != PresenceStatus.ONLINE && status != PresenceStatus.AWAY && status != PresenceStatus.BUSY) {
            return Optional.of("status: " + status + " (expected: ONLINE, AWAY or BUSY)");
        }
        int length = text.codePointCount(0, text.length());
        if (length > MAX_STATUS_TEXT) {
            return Optional.of("text: " + length + " characters (expected: <= " + MAX_STATUS_TEXT + ")");
        }
        return Optional.empty();
    }

    private static Optional<String> limit(int limit) {
        // uint32 on the wire: values above 2^31 arrive negative.
        if (limit < 0 || limit > MAX_ITEMS) {
            return Optional.of("limit: " + Integer.toUnsignedString(limit) + " (expected: 0-" + MAX_ITEMS + ")");
        }
        return Optional.empty();
    }

    private static Optional<String> text(String field, String value, int max, boolean required) {
        if (value.isEmpty()) {
            return required ? Optional.of(field + " is required") : Optional.empty();
        }
        if (value.length() > max) {
            return Optional.of(field + ": " + value.length() + " characters (expected: <= " + max + ")");
        }
        if (value.isBlank() || value.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            return Optional.of(field + ": '" + printable(value) + "' (expected: not blank, no control characters)");
        }
        return Optional.empty();
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        StringBuilder b = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> b.append(c < 0x20 || c == 0x7f ? '?' : Character.toString(c)));
        return b.toString();
    }
}
