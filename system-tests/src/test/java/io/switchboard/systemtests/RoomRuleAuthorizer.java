package io.switchboard.systemtests;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.api.v1.AuthorizeRequest;
import io.switchboard.proto.api.v1.AuthorizeResponse;
import io.switchboard.proto.api.v1.AuthorizerGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An application backend's {@code switchboard.api.v1.Authorizer} on a real gRPC server (loopback, port 0) that
 * decides by the room's name: a room whose name contains {@code allow} is allowed, one containing {@code deny} is
 * denied ("not a member of ROOM"), and one containing {@code slow} is never answered (the gateway's deadline
 * passes). Every request is recorded. Thread-safe.
 */
final class RoomRuleAuthorizer implements AutoCloseable {
    private final List<AuthorizeRequest> asked = new CopyOnWriteArrayList<>();
    private final Server server;

    RoomRuleAuthorizer() {
        try {
            server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                    .addService(new AuthorizerGrpc.AuthorizerImplBase() {
                        @Override
                        public void authorize(AuthorizeRequest request, StreamObserver<AuthorizeResponse> responses) {
                            asked.add(request);
                            String room = request.getRoom();
                            if (room.contains("slow")) {
                                return; // never answered: the gateway's deadline cancels the call
                            }
                            boolean allow = room.contains("allow");
                            responses.onNext(AuthorizeResponse.newBuilder().setAllow(allow)
                                    .setReason(allow ? "" : "not a member of " + room).build());
                            responses.onCompleted();
                        }
                    }).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code host:port} for {@code gateway.authz.backend.address}. */
    String address() {
        return "127.0.0.1:" + server.getPort();
    }

    /** The requests received so far, in order. */
    List<AuthorizeRequest> asked() {
        return List.copyOf(asked);
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
