package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayKeys.ADMIN_TOKEN;
import static io.switchboard.gateway.GatewayKeys.AUTH;
import static io.switchboard.gateway.GatewayKeys.BREAKER_FAILURE_RATE;
import static io.switchboard.gateway.GatewayKeys.DRAIN_BATCH_INTERVAL;
import static io.switchboard.gateway.GatewayKeys.DRAIN_BATCH_SIZE;
import static io.switchboard.gateway.GatewayKeys.DRAIN_RECONNECT_WINDOW;
import static io.switchboard.gateway.GatewayKeys.ROUTER_DNS;
import static io.switchboard.gateway.GatewayKeys.ROUTER_DNS_REFRESH;
import static io.switchboard.gateway.GatewayKeys.ROUTER_KEEPALIVE_TIME;
import static io.switchboard.gateway.GatewayKeys.ROUTER_KEEPALIVE_TIMEOUT;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.switchboard.gateway.routing.BreakerSettings;
import io.switchboard.gateway.routing.RouterEndpoint;
import io.switchboard.service.ConfigFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The router discovery, breaker, drain and admin keys: defaults, parsing and validation. */
class ClusterConfigTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @Test
    void defaults() {
        GatewayConfig c = GatewayConfig.builder().set(AUTH.hs256Secret, SECRET).build();
        assertThat(c.get(ROUTER_KEEPALIVE_TIME)).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.get(ROUTER_KEEPALIVE_TIMEOUT)).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.routerDns()).isEmpty();
        assertThat(c.get(ROUTER_DNS_REFRESH)).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.routerBreaker()).isEqualTo(new BreakerSettings(50, 20, 5, Duration.ofSeconds(5), 3));
        assertThat(c.get(DRAIN_BATCH_SIZE)).isEqualTo(100);
        assertThat(c.get(DRAIN_BATCH_INTERVAL)).isEqualTo(Duration.ofMillis(500));
        assertThat(c.get(DRAIN_RECONNECT_WINDOW)).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.find(ADMIN_TOKEN)).isEmpty();
    }

    @Test
    void readsTheKeys() {
        GatewayConfig c = GatewayConfigTest.fromKeys(Map.of(
                "gateway.auth.hs256-secret", SECRET,
                "gateway.router-dns", "routers.switchboard.svc:7070",
                "gateway.router-dns-refresh", "PT30S",
                "gateway.router-breaker.failure-rate-threshold", "25.5",
                "gateway.router-breaker.half-open-calls", "1",
                "gateway.drain.batch-size", "10",
                "gateway.admin.token", "0123456789abcdef"));
        assertThat(c.routerDns()).contains(new RouterEndpoint("routers.switchboard.svc", 7070));
        assertThat(c.get(ROUTER_DNS_REFRESH)).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.routerBreaker()).isEqualTo(new BreakerSettings(25.5f, 20, 5, Duration.ofSeconds(5), 1));
        assertThat(c.get(DRAIN_BATCH_SIZE)).isEqualTo(10);
        assertThat(c.find(ADMIN_TOKEN)).contains("0123456789abcdef");
        assertThat(c.toString()).contains("gateway.router-dns=routers.switchboard.svc:7070")
                .doesNotContain("0123456789abcdef");
    }

    @Test
    void rejectsBadValues() {
        assertThatThrownBy(() -> GatewayConfig.builder().set(ADMIN_TOKEN, "short"))
                .hasMessage("gateway.admin.token: 5 characters (expected: >= 16)");
        assertThatThrownBy(() -> GatewayConfig.builder().set(ROUTER_DNS, "no-port"))
                .hasMessage("gateway.router-dns: 'no-port' (expected: host:port)");
        assertThatThrownBy(() -> GatewayConfig.builder().set(DRAIN_BATCH_SIZE, 0))
                .hasMessage("gateway.drain.batch-size: 0 (expected: >= 1)");
        assertThatThrownBy(() -> GatewayConfig.builder().set(BREAKER_FAILURE_RATE, 0f))
                .hasMessage("gateway.router-breaker.failure-rate-threshold: 0.0 (expected: > 0 and <= 100)");
        assertThatThrownBy(() -> GatewayConfigTest.fromKeys(Map.of("gateway.auth.hs256-secret", SECRET,
                "gateway.router-breaker.failure-rate-threshold", "half")))
                .hasMessage("gateway.router-breaker.failure-rate-threshold: 'half' (expected: a number)");
    }

    /**
     * The routers {@link GatewayConfig#load} (the main's layering) reads in a child JVM whose environment is
     * {@code env} (plus an optional {@code --config} file): Helidon's real environment-variable source, with its
     * aliasing, over the file and the classpath defaults whose {@code gateway.routers} is a YAML list.
     */
    private static String withEnvironment(Map<String, String> env, Path file) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RoutersProbe.class.getName()));
        if (file != null) {
            command.add(file.toString());
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
        builder.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_") || k.startsWith("KAFKA_"));
        builder.environment().put("GATEWAY_AUTH_HS256_dash_SECRET", SECRET);
        builder.environment().putAll(env);
        Process probe = builder.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(probe.waitFor(60, TimeUnit.SECONDS)).as("probe ended").isTrue();
        return out.lines().reduce((first, second) -> second).orElse("");
    }

    private static String routers(GatewayConfig c) {
        return c.routers().toString();
    }

    @Test
    void aCommaSeparatedEnvironmentVariableReplacesTheDefaultList() throws Exception {
        assertThat(withEnvironment(Map.of("GATEWAY_ROUTERS", "r1:7070, r2:7071,r3:7072"), null))
                .isEqualTo("[r1:7070, r2:7071, r3:7072]");
    }

    @Test
    void indexedEnvironmentVariablesReplaceTheDefaultList() throws Exception {
        assertThat(withEnvironment(Map.of("GATEWAY_ROUTERS_0", "r1:7070", "GATEWAY_ROUTERS_1", "r2:7071"), null))
                .isEqualTo("[r1:7070, r2:7071]");
    }

    @Test
    void aCommaSeparatedEnvironmentVariableReplacesTheListOfTheConfigFile(@TempDir Path dir) throws Exception {
        Path file = GatewayConfigTest.configFile(dir, """
                gateway:
                  routers: ["f1:7070", "f2:7070", "f3:7070"]
                """);
        assertThat(withEnvironment(Map.of(), file)).isEqualTo("[f1:7070, f2:7070, f3:7070]");
        assertThat(withEnvironment(Map.of("GATEWAY_ROUTERS", "e1:7070"), file)).isEqualTo("[e1:7070]");
        // Indexed variables replace the file's entries one by one (they cannot make a file's list longer).
        assertThat(withEnvironment(Map.of("GATEWAY_ROUTERS_1", "e2:7070"), file))
                .isEqualTo("[f1:7070, e2:7070, f3:7070]");
    }

    @Test
    void withoutAnOverrideTheDefaultRouterIsUsed() throws Exception {
        assertThat(withEnvironment(Map.of(), null)).isEqualTo("[127.0.0.1:7070]");
    }

    @Test
    void aSystemPropertyListIsReadThroughTheMainLayering() {
        assertThat(GatewayConfigTest.withSystemProperties(
                Map.of("gateway.routers", "p1:7070,p2:7070", "gateway.auth.hs256-secret", SECRET),
                () -> routers(GatewayConfig.from(ConfigFiles.load(Optional.empty())))))
                .isEqualTo("[p1:7070, p2:7070]");
    }

    @Test
    void anEmptyCommaSeparatedListIsRefused() throws Exception {
        assertThat(withEnvironment(Map.of("GATEWAY_ROUTERS", " , "), null))
                .isEqualTo("error: gateway.routers: [] (expected: at least one host:port)");
    }
}
