package io.switchboard.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.client.TrustedCertificates;
import io.switchboard.devcerts.DevCertificates;
import io.switchboard.devcerts.PemFiles;
import io.switchboard.drill.Drill;
import io.switchboard.drill.DrillResult;
import io.switchboard.drill.LoadDriver;
import io.switchboard.gateway.GatewayServer;
import io.switchboard.launcher.ClusterSpec;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.testkit.TestTokens;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wss://} through the repository's own load-balancer configs, with the real HAProxy and nginx: clients (the
 * Java SDK, through the drill's load driver, trusting only the development CA) connect to the load balancer over TLS
 * and chat with acknowledged publishes; then one of the two gateways behind it drains (Drain frames, close 3000,
 * readiness 503) and the drill checks that no acknowledged message was lost or delivered twice, order held and every
 * client was live again, as the chaos suite's drain drill does. Once with TLS ending at the load balancer and plain
 * gateways behind it, once re-encrypted to gateways that serve TLS themselves ({@code gateway.tls.*}). And the same
 * drill with clients on the HTTP fallback (docs/protocol.md section 15: Server-Sent Events and POSTs, which the load
 * balancers route by client address) through each load balancer.
 */
class TlsLoadBalancerSystemTest {
    private static final TestTokens TOKENS = TestTokens.hs256(SystemCluster.USER_SECRET);
    private static final Duration READY = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private LocalCluster cluster;
    private TlsLoadBalancer balancer;

    @AfterEach
    void stop() {
        try {
            if (balancer != null) {
                balancer.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    /** A load balancer from deploy/, and whether it re-encrypts to gateways that serve TLS themselves. */
    enum Layout {
        HAPROXY_TERMINATES(false), NGINX_TERMINATES(false), HAPROXY_REENCRYPTS(true), NGINX_REENCRYPTS(true);

        final boolean reencrypts;

        Layout(boolean reencrypts) {
            this.reencrypts = reencrypts;
        }

        TlsLoadBalancer start(List<Integer> gateways, PemFiles frontend, Path gatewayCa, Path dir) {
            return name().startsWith("HAPROXY") ? TlsLoadBalancer.haproxy(gateways, frontend, gatewayCa, dir)
                    : TlsLoadBalancer.nginx(gateways, frontend, gatewayCa, dir);
        }
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void clientsChatOverWssThroughTheLoadBalancerAndADrainedGatewayLosesNothing(Layout layout) {
        Map<String, PemFiles> certificates = DevCertificates.generate(dir.resolve("tls"), List.of("lb", "gateway"));
        PemFiles gateway = certificates.get("gateway");
        cluster = cluster(layout.reencrypts, gateway);
        balancer = layout.start(gatewayPorts(), certificates.get("lb"), layout.reencrypts ? gateway.caBundle() : null,
                dir);
        drainDrill(layout.name().toLowerCase(Locale.ROOT), certificates.get("lb").caBundle(), false);
    }

    /**
     * Clients on the HTTP fallback through {@code deploy/}'s configs. All of them come from one address, so the
     * balancer's by-address routing puts every stream on one gateway: that gateway is drained and restarted. Its
     * clients open new streams on the other one and resume; once it is back, the routing may move their POSTs back to
     * it, which answers 404, and they open new streams again: nothing acknowledged may be lost or doubled meanwhile.
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"HAPROXY_TERMINATES", "NGINX_TERMINATES"})
    void fallbackClientsChatThroughTheLoadBalancerAndADrainedGatewayLosesNothing(Layout layout) {
        Map<String, PemFiles> certificates = DevCertificates.generate(dir.resolve("tls"), List.of("lb", "gateway"));
        cluster = cluster(false, certificates.get("gateway"));
        balancer = layout.start(gatewayPorts(), certificates.get("lb"), null, dir);
        drainDrill(layout.name().toLowerCase(Locale.ROOT) + "-sse", certificates.get("lb").caBundle(), true);
    }

    /** Two gateways and history (resume after the drain's reconnects); TLS on the gateways when {@code tls}. */
    private static LocalCluster cluster(boolean tls, PemFiles gateway) {
        ClusterSpec spec = LocalCluster.builder().gateways(2).history(true)
                .set("gateway.auth.hs256-secret", SystemCluster.USER_SECRET);
        if (tls) {
            spec.set("gateway.tls.certificate", gateway.certificateChain().toString())
                    .set("gateway.tls.private-key", gateway.privateKey().toString());
        }
        LocalCluster started = spec.build().start();
        assertThat(started.webSocketUri(0).getScheme()).isEqualTo(tls ? "wss" : "ws");
        return started;
    }

    private List<Integer> gatewayPorts() {
        return cluster.gateways().stream().map(GatewayServer::port).toList();
    }

    /** Drains the gateway holding the most connections under load, then restarts it. */
    private void drainDrill(String scenario, Path caBundle, boolean httpFallback) {
        Function<String, CompletionStage<String>> tokens =
                user -> CompletableFuture.completedFuture(TOKENS.token(user, LoadDriver.ROOM_PATTERN));
        LoadDriver.Settings settings = new LoadDriver.Settings(balancer.webSocketUri(), tokens, 10, 10, 5,
                Duration.ofMillis(100), scenario + "-" + UUID.randomUUID().toString().substring(0, 6), httpFallback);
        DrillResult result;
        try (LoadDriver load = LoadDriver.start(settings, READY, TrustedCertificates.fromPem(caBundle))) {
            result = Drill.run(scenario, load, new Drill.Fault() {
                private int drained;

                @Override
                public String inject() {
                    drained = cluster.gateway(1).connectionCount() >= cluster.gateway(0).connectionCount() ? 1 : 0;
                    GatewayServer gateway = cluster.gateway(drained);
                    int open = gateway.connectionCount();
                    assertThat(open).as("connections on the gateway to drain").isPositive();
                    gateway.drain(Duration.ofSeconds(10));
                    return "drain gateway-" + (drained + 1) + " behind the load balancer (" + open + " connections)";
                }

                @Override
                public void heal() {
                    cluster.restartGateway(drained);
                }
            }, Drill.Timeouts.defaults());
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(scenario + ": " + e.getMessage() + "\nload balancer log:\n" + balancer.logTail(), e);
        }
        assertThat(result.violations()).as("%s violations", scenario).isEmpty();
        assertThat(result.passed()).as("%s", result).isTrue();
        assertThat(result.acked()).as("acked messages in %s", scenario).isPositive();
        assertThat(result.deliveries()).as("deliveries in %s", scenario).isPositive();
    }
}
