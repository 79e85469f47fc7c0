package io.switchboard.router.api;

import io.switchboard.proto.api.v1.SwitchboardApiGrpc;
import java.util.Map;
import java.util.Optional;

/**
 * The one table of which permission each SwitchboardApi method needs, keyed by full method name. A method
 * missing from the table (a newer proto than this code) is refused, never allowed by default. Immutable.
 */
final class MethodPermissions {
    private static final Map<String, Permission> TABLE = Map.of(
            SwitchboardApiGrpc.getPublishMethod().getFullMethodName(), Permission.PUBLISH,
            SwitchboardApiGrpc.getPublishStreamMethod().getFullMethodName(), Permission.PUBLISH,
            SwitchboardApiGrpc.getPublishManyMethod().getFullMethodName(), Permission.PUBLISH,
            SwitchboardApiGrpc.getSendToUserMethod().getFullMethodName(), Permission.PUBLISH,
            SwitchboardApiGrpc.getGetRoomPresenceMethod().getFullMethodName(), Permission.READ,
            SwitchboardApiGrpc.getGetUserPresenceMethod().getFullMethodName(), Permission.READ,
            SwitchboardApiGrpc.getReadHistoryMethod().getFullMethodName(), Permission.READ,
            SwitchboardApiGrpc.getDisconnectMethod().getFullMethodName(), Permission.CONTROL,
            SwitchboardApiGrpc.getCloseRoomMethod().getFullMethodName(), Permission.CONTROL,
            SwitchboardApiGrpc.getListConnectionsMethod().getFullMethodName(), Permission.CONTROL);

    private MethodPermissions() {
    }

    /** The permission {@code fullMethodName} needs, or empty for a method this table does not know. */
    static Optional<Permission> required(String fullMethodName) {
        return Optional.ofNullable(TABLE.get(fullMethodName));
    }
}
