package io.switchboard.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.EnvironmentVariables;
import io.switchboard.gateway.routing.BreakerSettings;
import io.switchboard.gateway.routing.RouterEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The router discovery, breaker, drain and admin keys: defaults, parsing and validation. */
class ClusterConfigTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @Test
    void defaults() {
        GatewayConfig c = GatewayConfig.builder().hs256Secret(SECRET).build();
        assertThat(c.routerKeepAliveTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.routerKeepAliveTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.routerDns()).isEmpty();
        assertThat(c.routerDnsRefresh()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.routerBreaker()).isEqualTo(new BreakerSettings(50, 20, 5, Duration.ofSeconds(5), 3));
        assertThat(c.drainBatchSize()).isEqualTo(100);
        assertThat(c.drainBatchInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.drainReconnectWindow()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.adminToken()).isEmpty();
    }

    @Test
    void readsTheKeys() {
        Config root = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(ConfigSources.create(Map.of(
                        "gateway.auth.hs256-secret", SECRET,
                        "gateway.router-dns", "routers.switchboard.svc:7070",
                        "gateway.router-dns-refresh", "PT30S",
                        "gateway.router-breaker.failure-rate-threshold", "25.5",
                        "gateway.router-breaker.half-open-calls", "1",
                        "gateway.drain.batch-size", "10",
                        "gateway.admin.token", "0123456789abcdef")))
                .build();
        GatewayConfig c = GatewayConfig.from(root);
        assertThat(c.routerDns()).contains(new RouterEndpoint("routers.switchboard.svc", 7070));
        assertThat(c.routerDnsRefresh()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.routerBreaker()).isEqualTo(new BreakerSettings(25.5f, 20, 5, Duration.ofSeconds(5), 1));
        assertThat(c.drainBatchSize()).isEqualTo(10);
        assertThat(c.adminToken()).contains("0123456789abcdef");
        assertThat(c.toString()).contains("dns:routers.switchboard.svc:7070").doesNotContain("0123456789abcdef");
        assertThat(GatewayConfig.KNOWN_KEYS).contains("router-breaker.wait-in-open", "drain.reconnect-window",
                "admin.token", "router-keepalive-timeout");
    }

    @Test
    void rejectsBadValues() {
        assertThatThrownBy(() -> GatewayConfig.builder().adminToken("short"))
                .hasMessage("gateway.admin.token: 5 characters (expected: >= 16)");
        assertThatThrownBy(() -> GatewayConfig.builder().routerDns("no-port"))
                .hasMessage("gateway.router-dns: 'no-port' (expected: host:port)");
        assertThatThrownBy(() -> GatewayConfig.builder().drainBatchSize(0))
                .hasMessage("gateway.drain.batch-size: 0 (expected: >= 1)");
        assertThatThrownBy(() -> new BreakerSettings(0, 20, 5, Duration.ofSeconds(5), 3))
                .hasMessage("gateway.router-breaker.failure-rate-threshold: 0.0 (expected: > 0 and <= 100)");
        Config root = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(ConfigSources.create(Map.of("gateway.auth.hs256-secret", SECRET,
                        "gateway.router-breaker.failure-rate-threshold", "half")))
                .build();
        assertThatThrownBy(() -> GatewayConfig.from(root))
                .hasMessage("gateway.router-breaker.failure-rate-threshold: 'half' (expected: a number)");
    }

    /**
     * The layering of {@link GatewayConfig#load}: environment variables (expanded with Helidon's own aliasing, as
     * {@code ConfigSources.environmentVariables()} does), an optional file, then the classpath defaults whose
     * {@code gateway.routers} is a YAML list.
     */
    private static GatewayConfig withEnvironment(Map<String, String> env, Path file) {
        Config.Builder builder = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource();
        if (file == null) {
            builder.sources(ConfigSources.create(EnvironmentVariables.expand(env)),
                    ConfigSources.classpath("gateway-defaults.yaml"));
        } else {
            builder.sources(ConfigSources.create(EnvironmentVariables.expand(env)), ConfigSources.file(file),
                    ConfigSources.classpath("gateway-defaults.yaml"));
        }
        return GatewayConfig.from(builder.build());
    }

    private static List<String> routers(GatewayConfig c) {
        return c.routers().stream().map(RouterEndpoint::toString).toList();
    }

    @Test
    void aCommaSeparatedEnvironmentVariableReplacesTheDefaultList() {
        GatewayConfig c = withEnvironment(Map.of("GATEWAY_AUTH_HS256_dash_SECRET", SECRET,
                "GATEWAY_ROUTERS", "r1:7070, r2:7071,r3:7072"), null);
        assertThat(routers(c)).containsExactly("r1:7070", "r2:7071", "r3:7072");
    }

    @Test
    void indexedEnvironmentVariablesReplaceTheDefaultList() {
        GatewayConfig c = withEnvironment(Map.of("GATEWAY_AUTH_HS256_dash_SECRET", SECRET,
                "GATEWAY_ROUTERS_0", "r1:7070", "GATEWAY_ROUTERS_1", "r2:7071"), null);
        assertThat(routers(c)).containsExactly("r1:7070", "r2:7071");
    }

    @Test
    void aCommaSeparatedEnvironmentVariableReplacesTheListOfTheConfigFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gw.yaml");
        Files.writeString(file, """
                gateway:
                  routers: ["f1:7070", "f2:7070", "f3:7070"]
                """);
        assertThat(routers(withEnvironment(Map.of("GATEWAY_AUTH_HS256_dash_SECRET", SECRET), file)))
                .containsExactly("f1:7070", "f2:7070", "f3:7070");
        assertThat(routers(withEnvironment(Map.of("GATEWAY_AUTH_HS256_dash_SECRET", SECRET,
                "GATEWAY_ROUTERS", "e1:7070"), file))).containsExactly("e1:7070");
        // Indexed variables replace the file's entries one by one (they cannot make a file's list longer).
        assertThat(routers(withEnvironment(Map.of("GATEWAY_AUTH_HS256_dash_SECRET", SECRET,
                "GATEWAY_ROUTERS_1", "e2:7070"), file))).containsExactly("f1:7070", "e2:7070", "f3:7070");
    }

    @Test
    void withoutAnOverrideTheDefaultRouterIsUsed() {
        assertThat(routers(withEnvironment(Map.of("GATEWAY_AUTH_HS256_dash_SECRET", SECRET), null)))
                .containsExactly("127.0.0.1:7070");
    }

    @Test
    void aSystemPropertyListIsReadThroughTheMainLayering() {
        System.setProperty("gateway.routers", "p1:7070,p2:7070");
        System.setProperty("gateway.auth.hs256-secret", SECRET);
        try {
            assertThat(routers(GatewayConfig.load(Optional.empty())))
                    .containsExactly("p1:7070", "p2:7070");
        } finally {
            System.clearProperty("gateway.routers");
            System.clearProperty("gateway.auth.hs256-secret");
        }
    }

    @Test
    void anEmptyCommaSeparatedListIsRefused() {
        assertThatThrownBy(() -> withEnvironment(Map.of("GATEWAY_AUTH_HS256_dash_SECRET", SECRET,
                "GATEWAY_ROUTERS", " , "), null))
                .hasMessage("gateway.routers: [] (expected: at least one host:port)");
    }
}
