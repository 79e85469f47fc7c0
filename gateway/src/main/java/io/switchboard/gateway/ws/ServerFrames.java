package io.switchboard.gateway.ws;

import java.time.Instant;

import com.google.protobuf.Timestamp;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.client.v1.Error;
import io.switchboard.proto.client.v1.ServerFrame;

/** Small factories for server frames. Stateless, thread-safe. */
final class ServerFrames {
    private ServerFrames() {
    }

    static ServerFrame error(int requestId, ClientError e, String room) {
        return ServerFrame.newBuilder().setError(Error.newBuilder()
                .setRequestId(requestId)
                .setCode(e.code())
                .setMessage(e.message())
                .setRetriable(e.retriable())
                .setRoom(room == null ? "" : room)).build();
    }

    /** A refused RefreshToken: INVALID_TOKEN as an Error frame (not a close), never retriable. */
    static ServerFrame invalidToken(int requestId, String message) {
        return ServerFrame.newBuilder().setError(Error.newBuilder()
                .setRequestId(requestId)
                .setCode(io.switchboard.proto.client.v1.ErrorCode.INVALID_TOKEN)
                .setMessage(message)
                .setRetriable(false)).build();
    }

    static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }
}
