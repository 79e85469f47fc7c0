package io.switchboard.systemtests;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.switchboard.launcher.ClusterSpec;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.testkit.TestTokens;
import java.util.concurrent.TimeUnit;

/**
 * The platform every test class here runs against: one router serving the public API (HS256 service tokens),
 * two gateways, the presence service and optionally history, on an embedded Kafka broker in this JVM.
 * Users' and services' tokens are signed with different secrets, so a user token is no service token. User
 * tokens carry the rooms each test uses in their {@code rooms} claim: gateways open no room by default.
 */
final class SystemCluster {
    static final String USER_SECRET = "system-tests-user-secret-0123456789abcdef";
    static final String SERVICE_SECRET = "system-tests-service-secret-0123456789abc";
    static final TestTokens USERS = TestTokens.hs256(USER_SECRET);
    static final TestTokens SERVICES = TestTokens.hs256(SERVICE_SECRET);
    /** Short, so the typing test sees an indicator expire quickly; long enough to outlast a slow relay. */
    static final String EPHEMERAL_TTL = "PT2S";
    /** Long, so "a second typing event within the window" holds however slowly this machine relays the first. */
    static final String EPHEMERAL_MIN_INTERVAL = "PT10S";
    static final String LEAVE_GRACE = "PT2S";

    private SystemCluster() {
    }

    /** Starts the cluster (with the history service when {@code history}). */
    static LocalCluster start(boolean history) {
        return builder(history).build().start();
    }

    /** A client of gateway {@code gateway}, connected as {@code user} with a token whose rooms are {@code grant}. */
    static Peer peer(LocalCluster cluster, int gateway, String user, String grant) {
        return Peer.connect(cluster.webSocketUri(gateway), user, USERS.token(user, grant));
    }

    /** The cluster's settings, for a test class that changes some of them (later {@code set}s win). */
    static ClusterSpec builder(boolean history) {
        return LocalCluster.builder()
                .gateways(2)
                .presence(true)
                .history(history)
                .set("gateway.auth.hs256-secret", USER_SECRET)
                .set("router.api.enabled", "true")
                .set("router.api.auth.hs256-secret", SERVICE_SECRET)
                .set("router.ephemeral.ttl", EPHEMERAL_TTL)
                .set("router.ephemeral.min-interval", EPHEMERAL_MIN_INTERVAL)
                // Far beyond any test: a router sees presence changes only through the presence topic's records.
                .set("router.presence.cache-ttl", "PT10M")
                // Shorter than the default (10 s): closed connections' users leave after 2 s, reloads stay within it.
                .set("presence.leave-grace", LEAVE_GRACE);
    }

    /** A service token for {@code service} with the space-separated {@code scope}. */
    static String serviceToken(String service, String scope) {
        return SERVICES.token(service, claims -> claims.claim("scope", scope));
    }

    /** A plaintext channel to router {@code index}'s gRPC port (API, health). */
    static ManagedChannel routerChannel(LocalCluster cluster, int index) {
        return ManagedChannelBuilder.forAddress("127.0.0.1", cluster.router(index).port()).usePlaintext().build();
    }

    static void shutdown(ManagedChannel channel) {
        if (channel == null) {
            return;
        }
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
