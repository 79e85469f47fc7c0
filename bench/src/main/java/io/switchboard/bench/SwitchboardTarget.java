package io.switchboard.bench;

import io.switchboard.launcher.LocalCluster;
import io.switchboard.testkit.TestTokens;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Switchboard as users run it on one machine: routers and gateways in this JVM over loopback, on an embedded
 * Kafka broker, every client authenticated with an HS256 token. Not thread-safe: start and close from one
 * thread.
 */
public final class SwitchboardTarget implements BenchTarget {
    // Only for this in-process cluster; it never leaves the JVM.
    private static final String SECRET = "switchboard-bench-hs256-secret-0123456789";

    private final LocalCluster cluster;
    private final TestTokens tokens = TestTokens.hs256(SECRET);
    private final List<URI> endpoints = new ArrayList<>();

    private SwitchboardTarget(LocalCluster cluster) {
        this.cluster = cluster;
    }

    /** Starts a cluster of {@code routers} routers and {@code gateways} gateways; stops it again on failure. */
    public static SwitchboardTarget start(int routers, int gateways) {
        LocalCluster cluster = LocalCluster.builder()
                .routers(routers)
                .gateways(gateways)
                .set("gateway.auth.hs256-secret", SECRET)
                .set("kafka.topic.partitions", "8")
                .build()
                .start();
        SwitchboardTarget target = new SwitchboardTarget(cluster);
        try {
            for (int i = 0; i < gateways; i++) {
                target.endpoints.add(cluster.webSocketUri(i));
            }
            return target;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "switchboard";
    }

    @Override
    public List<URI> endpoints() {
        return List.copyOf(endpoints);
    }

    @Override
    public String token(String user) {
        return tokens.token(user, "bench:*"); // every benchmark room is bench:<n>
    }

    @Override
    public void close() {
        cluster.close();
    }
}
