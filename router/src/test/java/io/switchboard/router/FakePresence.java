package io.switchboard.router;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.internal.v1.Connection;
import io.switchboard.proto.internal.v1.PresenceServiceGrpc;
import io.switchboard.proto.internal.v1.UserPresence;
import io.switchboard.proto.internal.v1.UserPresenceRequest;
import io.switchboard.proto.internal.v1.UserPresenceResponse;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A PresenceService fake at the router's presence seam: answers UserPresence from a settable table, counts
 * lookups per user and can be told to fail. Thread-safe.
 */
final class FakePresence extends PresenceServiceGrpc.PresenceServiceImplBase {
    private final Map<String, UserPresence> users = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();
    private volatile Status failWith;

    /** Sets {@code user} as connected with the given (session id, gateway id) pairs. */
    void connect(String user, String... sessionGatewayPairs) {
        UserPresence.Builder presence = UserPresence.newBuilder().setUserId(user).setStatus(PresenceStatus.ONLINE);
        for (int i = 0; i < sessionGatewayPairs.length; i += 2) {
            presence.addConnections(Connection.newBuilder().setUserId(user).setSessionId(sessionGatewayPairs[i])
                    .setGatewayId(sessionGatewayPairs[i + 1]));
        }
        users.put(user, presence.build());
    }

    void failWith(Status status) {
        this.failWith = status;
    }

    int lookups(String user) {
        AtomicInteger n = lookups.get(user);
        return n == null ? 0 : n.get();
    }

    @Override
    public void userPresence(UserPresenceRequest request, StreamObserver<UserPresenceResponse> responses) {
        request.getUserIdsList().forEach(u -> lookups.computeIfAbsent(u, k -> new AtomicInteger()).incrementAndGet());
        Status failure = failWith;
        if (failure != null) {
            responses.onError(failure.asRuntimeException());
            return;
        }
        UserPresenceResponse.Builder response = UserPresenceResponse.newBuilder();
        for (String user : request.getUserIdsList()) {
            response.addUsers(users.getOrDefault(user,
                    UserPresence.newBuilder().setUserId(user).setStatus(PresenceStatus.OFFLINE).build()));
        }
        responses.onNext(response.build());
        responses.onCompleted();
    }
}
