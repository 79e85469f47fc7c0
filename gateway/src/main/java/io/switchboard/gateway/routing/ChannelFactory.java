package io.switchboard.gateway.routing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;

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
        return netty(InsecureChannelCredentials.create(), keepAliveTime, keepAliveTimeout);
    }

    /** {@link #plaintext} with {@code credentials}: TLS ones per {@code gateway.grpc-client.tls.*}. */
    static ChannelFactory netty(ChannelCredentials credentials, Duration keepAliveTime, Duration keepAliveTimeout) {
        return router -> Grpc.newChannelBuilderForAddress(router.host(), router.port(), credentials)
                .keepAliveTime(keepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTimeout(keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveWithoutCalls(true)
                .userAgent("switchboard-gateway")
                .build();
    }
}
