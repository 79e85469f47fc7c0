package io.switchboard.gateway.session;

import java.time.Instant;

import com.google.protobuf.Timestamp;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.Error;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.proto.client.v1.Subscribe;

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
                .setCode(ErrorCode.INVALID_TOKEN)
                .setMessage(message)
                .setRetriable(false)).build();
    }

    /** The Subscribed answer to {@code sub}: where the room's stream starts and what a resume recovered. */
    static ServerFrame subscribed(Subscribe sub, String epoch, boolean recovered, RecoveryFailure failure,
                                  int replayed, long nextPosition) {
        return ServerFrame.newBuilder().setSubscribed(Subscribed.newBuilder()
                .setRequestId(sub.getRequestId())
                .setRoom(sub.getRoom())
                .setEpoch(epoch)
                .setRecovered(recovered)
                .setRecoveryFailure(failure)
                .setReplayed(replayed)
                .setNextPosition(nextPosition)
                .setPresence(sub.getPresence())).build();
    }

    /** Subscribed for a backend's SubscribeUser: request id 0, {@code server_side}, where the stream starts. */
    static ServerFrame serverSubscribed(String room, String epoch, long nextPosition, boolean presence) {
        return ServerFrame.newBuilder().setSubscribed(Subscribed.newBuilder()
                .setRoom(room)
                .setEpoch(epoch)
                .setServerSide(true)
                .setNextPosition(nextPosition)
                .setPresence(presence)).build();
    }

    /** The Ack of a request that is acknowledged by its id only (SetStatus, RefreshToken). */
    static ServerFrame ack(int requestId) {
        return ServerFrame.newBuilder().setAck(Ack.newBuilder().setRequestId(requestId)).build();
    }

    static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }
}
