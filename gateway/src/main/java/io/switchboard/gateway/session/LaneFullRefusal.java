package io.switchboard.gateway.session;

import java.util.Optional;

import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;

/**
 * The answer to a request that found the connection's {@link RequestLane} full: {@code RATE_LIMITED} for a request
 * with an id to answer; a request without one (a Ping, an Ephemeral sent without id) is dropped unanswered.
 */
final class LaneFullRefusal {
    private LaneFullRefusal() {
    }

    static Optional<ServerFrame> of(ClientFrame frame) {
        int requestId = requestIdOf(frame);
        if (requestId == 0) {
            return Optional.empty();
        }
        return Optional.of(ServerFrames.error(requestId, new ClientError(ErrorCode.RATE_LIMITED,
                "requests waiting for a permission check: more than " + RequestLane.MAX_WAITING + " or "
                        + RequestLane.MAX_WAITING_BYTES + " bytes; wait for their answers"), ""));
    }

    /** The request id of {@code frame}; 0 for frames that carry none (Connect, Ping). */
    static int requestIdOf(ClientFrame frame) {
        return switch (frame.getFrameCase()) {
            case SUBSCRIBE -> frame.getSubscribe().getRequestId();
            case UNSUBSCRIBE -> frame.getUnsubscribe().getRequestId();
            case PUBLISH -> frame.getPublish().getRequestId();
            case DIRECT -> frame.getDirect().getRequestId();
            case HISTORY -> frame.getHistory().getRequestId();
            case PRESENCE -> frame.getPresence().getRequestId();
            case EPHEMERAL -> frame.getEphemeral().getRequestId();
            case SET_STATUS -> frame.getSetStatus().getRequestId();
            case REFRESH -> frame.getRefresh().getRequestId();
            default -> 0;
        };
    }
}
