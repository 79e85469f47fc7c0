package io.switchboard.gateway.routing;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;

/**
 * {@link ScriptedRouter}s served in-process, each under its own name ({@code prefix} and its endpoint), and the
 * channels a {@link GrpcRouterClient} reaches them by (direct executors: calls run on the caller's thread), and the
 * client under test: closing closes the client, then shuts every server down. Not thread-safe: set up by one test.
 */
final class InProcessRouters implements AutoCloseable {
    private final String prefix;
    private final Map<RouterEndpoint, ScriptedRouter> routers = new LinkedHashMap<>();
    private final Map<RouterEndpoint, Server> servers = new LinkedHashMap<>();
    private GrpcRouterClient client;

    /** @param prefix keeps the names of one test class's servers apart from another's */
    InProcessRouters(String prefix) {
        this.prefix = prefix;
    }

    /** Serves {@code router} as {@code endpoint}. */
    void serve(RouterEndpoint endpoint, ScriptedRouter router) throws IOException {
        routers.put(endpoint, router);
        servers.put(endpoint, InProcessServerBuilder.forName(prefix + endpoint).directExecutor().addService(router)
                .build().start());
    }

    /** A channel to {@code endpoint}'s server (a call to an endpoint not served fails UNAVAILABLE). */
    ManagedChannel channel(RouterEndpoint endpoint) {
        return InProcessChannelBuilder.forName(prefix + endpoint).directExecutor().build();
    }

    /** Builds and starts the client under test (closing any earlier one); it is closed before the servers. */
    GrpcRouterClient start(GrpcRouterClient.Builder builder) {
        closeClient();
        client = builder.build().start();
        return client;
    }

    /** The endpoints served, in the order they were added. */
    List<RouterEndpoint> endpoints() {
        return List.copyOf(routers.keySet());
    }

    ScriptedRouter get(RouterEndpoint endpoint) {
        return routers.get(endpoint);
    }

    /** Every router served, in the order they were added. */
    Collection<ScriptedRouter> all() {
        return routers.values();
    }

    /** The server of {@code endpoint}: a test shuts it down to take the router away. */
    Server server(RouterEndpoint endpoint) {
        return servers.get(endpoint);
    }

    @Override
    public void close() {
        try {
            closeClient();
        } finally {
            servers.values().forEach(Server::shutdownNow);
        }
    }

    private void closeClient() {
        if (client != null) {
            client.close(Duration.ofSeconds(5));
            client = null;
        }
    }
}
