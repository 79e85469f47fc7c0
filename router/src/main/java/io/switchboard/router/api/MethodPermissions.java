package io.switchboard.router.api;

import io.switchboard.proto.api.v1.SwitchboardApiGrpc;
import java.util.Map;
import java.util.Optional;

/**
 * The one table of which permission each SwitchboardApi method needs, keyed by full method name. A method
 * missing from the table (a newer proto than this code) is refused, never allowed by default. Immutable.
 */
final class MethodPermissions {
    private static final Map<String, Permission> TABLE = Map.ofEntries(
            Map.entry(SwitchboardApiGrpc.getPublishMethod().getFullMethodName(), Permission.PUBLISH),
            Map.entry(SwitchboardApiGrpc.getPublishStreamMethod().getFullMethodName(), Permission.PUBLISH),
            Map.entry(SwitchboardApiGrpc.getPublishManyMethod().getFullMethodName(), Permission.PUBLISH),
            Map.entry(SwitchboardApiGrpc.getSendToUserMethod().getFullMethodName(), Permission.PUBLISH),
            Map.entry(SwitchboardApiGrpc.getGetRoomPresenceMethod().getFullMethodName(), Permission.READ),
            Map.entry(SwitchboardApiGrpc.getGetUserPresenceMethod().getFullMethodName(), Permission.READ),
            Map.entry(SwitchboardApiGrpc.getReadHistoryMethod().getFullMethodName(), Permission.READ),
            Map.entry(SwitchboardApiGrpc.getDisconnectMethod().getFullMethodName(), Permission.CONTROL),
            Map.entry(SwitchboardApiGrpc.getCloseRoomMethod().getFullMethodName(), Permission.CONTROL),
            Map.entry(SwitchboardApiGrpc.getListConnectionsMethod().getFullMethodName(), Permission.CONTROL),
            Map.entry(SwitchboardApiGrpc.getSubscribeUserMethod().getFullMethodName(), Permission.CONTROL),
            Map.entry(SwitchboardApiGrpc.getUnsubscribeUserMethod().getFullMethodName(), Permission.CONTROL));

    private MethodPermissions() {
    }

    /** The permission {@code fullMethodName} needs, or empty for a method this table does not know. */
    static Optional<Permission> required(String fullMethodName) {
        return Optional.ofNullable(TABLE.get(fullMethodName));
    }
}
