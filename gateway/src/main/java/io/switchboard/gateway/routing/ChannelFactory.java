package io.switchboard.gateway.routing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Opens the channel to one router: Netty (plaintext or TLS) in production, in-process channels in tests (the seam for
 * deterministic fault injection). Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ChannelFactory {
    ManagedChannel open(RouterEndpoint router);

    /**
     * Plaintext HTTP/2 channels with keepalive pings every {@code keepAliveTime} (also while idle, so a dead
     * router is noticed before the next publish needs it) and a dead-peer verdict after {@code keepAliveTimeout}
     * without the ping's answer. Routers must permit that ping rate ({@code permitKeepAliveTime} and
     * {@code permitKeepAliveWithoutCalls}), or they answer GOAWAY "too_many_pings".
     */
    static ChannelFactory plaintext(Duration keepAliveTime, Duration keepAliveTimeout) {
        return netty((host, port) -> Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create()),
                keepAliveTime, keepAliveTimeout);
    }

    /**
     * {@link #plaintext}'s keepalive over the channels {@code builders} makes from a host and port: TLS ones per
     * {@code gateway.grpc-client.tls.*}.
     */
    static ChannelFactory netty(BiFunction<String, Integer, ManagedChannelBuilder<?>> builders, Duration keepAliveTime,
                                Duration keepAliveTimeout) {
        return router -> builders.apply(router.host(), router.port())
                .keepAliveTime(keepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTimeout(keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveWithoutCalls(true)
                .userAgent("switchboard-gateway")
                .build();
    }

    /**
     * Routers in this JVM through grpc-java's in-process transport, the others through {@code network}:
     * {@code inProcessNames} maps a router's {@code host:port} (as {@link RouterEndpoint#toString()} spells it) to
     * the name it serves {@code RouterService} under in-process. The calls, deadlines, breaker and failover are the
     * same; the HTTP/2 framing, the sockets and both sides' event loops are not there (docs/performance.md, Round
     * 24). Without keepalive: a stopped in-process server fails its calls at once.
     */
    static ChannelFactory inProcessFirst(Map<String, String> inProcessNames, ChannelFactory network) {
        Map<String, String> names = Map.copyOf(inProcessNames);
        return router -> {
            String name = names.get(router.toString());
            return name == null ? network.open(router)
                    : InProcessChannelBuilder.forName(name).userAgent("switchboard-gateway").build();
        };
    }
}
