package io.switchboard.systemtests;

import io.grpc.ManagedChannel;
import io.switchboard.launcher.LocalCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The {@link SystemCluster} and a backend of the public API for one test class: started before the class's first
 * test, stopped after its last, also when a test fails. Register it on a static field:
 * {@code @RegisterExtension static final ApiCluster API = new ApiCluster(false, "dm-test", "read");}.
 * Not thread-safe: JUnit calls it from one thread.
 */
final class ApiCluster implements BeforeAllCallback, AfterAllCallback {
    private final boolean history;
    private final String service;
    private final String scope;
    private LocalCluster cluster;
    private ManagedChannel channel;
    private ServiceApi api;

    /**
     * @param history whether the cluster runs the history service
     * @param service the backend's service name (the sender of what it publishes: {@code service:<name>})
     * @param scope   the backend token's space-separated scopes
     */
    ApiCluster(boolean history, String service, String scope) {
        this.history = history;
        this.service = service;
        this.scope = scope;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = SystemCluster.start(history);
        channel = SystemCluster.routerChannel(cluster, 0);
        api = new ServiceApi(channel, SystemCluster.serviceToken(service, scope));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        SystemCluster.shutdown(channel);
        if (cluster != null) {
            cluster.close();
        }
    }

    LocalCluster cluster() {
        return cluster;
    }

    /** A plaintext channel to the first router's gRPC port. */
    ManagedChannel channel() {
        return channel;
    }

    /** The public API as the backend calls it. */
    ServiceApi api() {
        return api;
    }

    /** A WebSocket peer of {@code user} on gateway {@code gateway}, its token granting {@code rooms}. */
    Peer connect(int gateway, String user, String... rooms) {
        String token = rooms.length == 0 ? SystemCluster.USERS.token(user) : SystemCluster.USERS.token(user, rooms);
        return Peer.connect(cluster.webSocketUri(gateway), user, token);
    }
}
