package io.switchboard.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.switchboard.gateway.routing.RouterEndpoint;
import io.switchboard.testkit.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayConfigTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @Test
    void defaults() {
        GatewayConfig c = GatewayConfig.builder().hs256Secret(SECRET).build();
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.wsPath()).isEqualTo("/ws");
        assertThat(c.gatewayId()).isEmpty();
        assertThat(c.routers()).containsExactly(new RouterEndpoint("127.0.0.1", 7070));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.publishTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.maxSubscriptions()).isEqualTo(100);
        assertThat(c.maxPayloadBytes()).isEqualTo(65_536);
        assertThat(c.maxFrameBytes()).isEqualTo(131_072);
        assertThat(c.maxOutboundQueueBytes()).isEqualTo(1_048_576);
        assertThat(c.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(c.topic()).isEqualTo("switchboard.rooms");
    }

    @Test
    void rejectsBadValuesWithTheNameAndTheExpectation() {
        assertThatThrownBy(() -> GatewayConfig.builder().hs256Secret("short"))
                .hasMessage("gateway.auth.hs256-secret: 5 bytes (expected: >= 32 bytes)");
        assertThatThrownBy(() -> GatewayConfig.builder().port(70000))
                .hasMessage("gateway.port: 70000 (expected: 0-65535)");
        assertThatThrownBy(() -> GatewayConfig.builder().connectTimeout(Duration.ZERO))
                .hasMessage("gateway.connect-timeout: PT0S (expected: > PT0S)");
        assertThatThrownBy(() -> GatewayConfig.builder().routers(List.of("a:1", "a:1")))
                .hasMessageContaining("expected: no duplicates");
        assertThatThrownBy(() -> GatewayConfig.builder().rs256PublicKey("nope"))
                .hasMessageContaining("gateway.auth.rs256-public-key");
        assertThatThrownBy(() -> GatewayConfig.builder().build())
                .hasMessageContaining("gateway.auth: no key");
        assertThatThrownBy(() -> GatewayConfig.builder().hs256Secret(SECRET).maxPayloadBytes(200_000).build())
                .hasMessageContaining("gateway.limits.max-payload-bytes: 200000 (expected: < max-frame-bytes");
    }

    @Test
    void readsHelidonConfigAndWarnsAboutUnknownKeys(@TempDir Path dir) throws Exception {
        Path pem = dir.resolve("key.pem");
        Files.writeString(pem, TestTokens.rs256().publicKeyPem());
        Config config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(ConfigSources.create(Map.ofEntries(
                        Map.entry("gateway.port", "9000"),
                        Map.entry("gateway.id", "gw-1"),
                        Map.entry("gateway.routers", "r1:7070, r2:7071"),
                        Map.entry("gateway.connect-timeout", "PT2S"),
                        Map.entry("gateway.auth.rs256-public-key-file", pem.toString()),
                        Map.entry("gateway.auth.issuer", "https://auth"),
                        Map.entry("gateway.auth.jwks-url", "https://auth.example/jwks.json"),
                        Map.entry("gateway.auth.jwks-file", "/etc/switchboard/jwks.json"),
                        Map.entry("gateway.auth.jwks-refresh-interval", "PT10M"),
                        Map.entry("gateway.auth.jwks-min-refetch-interval", "PT2S"),
                        Map.entry("gateway.auth.jwks-timeout", "PT3S"),
                        Map.entry("gateway.authz.namespaces.public.verbs", "subscribe,history"),
                        Map.entry("gateway.authz.namespaces.public.colour", "red"),
                        Map.entry("gateway.authz.direct-default", "no-one"),
                        Map.entry("gateway.limits.max-subscriptions", "7"),
                        Map.entry("gateway.limts.max-frame-bytes", "1"),
                        Map.entry("kafka.bootstrap-servers", "k:9092"),
                        Map.entry("kafka.topic.name", "t"),
                        Map.entry("kafka.consumer.fetch.max.wait.ms", "100"))))
                .build();
        List<String> warnings = new ArrayList<>();
        Logger logger = Logger.getLogger(GatewayConfig.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        GatewayConfig c;
        try {
            c = GatewayConfig.from(config);
        } finally {
            logger.removeHandler(handler);
        }
        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.gatewayId()).contains("gw-1");
        assertThat(c.routers()).extracting(RouterEndpoint::toString).containsExactly("r1:7070", "r2:7071");
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.rs256PublicKeyPem()).isPresent();
        assertThat(c.hs256Secret()).isEmpty();
        assertThat(c.issuer()).contains("https://auth");
        assertThat(c.keySet().jwksUrl()).contains(java.net.URI.create("https://auth.example/jwks.json"));
        assertThat(c.keySet().jwksFile()).contains(Path.of("/etc/switchboard/jwks.json"));
        assertThat(List.of(c.keySet().refreshInterval(), c.keySet().minRefetchInterval(), c.keySet().fetchTimeout()))
                .containsExactly(Duration.ofMinutes(10), Duration.ofSeconds(2), Duration.ofSeconds(3));
        assertThat(c.authz().policies().forRoom("public:news").everyone()).hasSize(2);
        assertThat(c.authz().directDefault().allows("bob")).isFalse();
        assertThat(c.maxSubscriptions()).isEqualTo(7);
        assertThat(c.bootstrapServers()).isEqualTo("k:9092");
        assertThat(c.topic()).isEqualTo("t");
        assertThat(c.consumerProperties()).containsEntry("fetch.max.wait.ms", "100");
        assertThat(warnings).containsExactlyInAnyOrder(
                "unknown config key gateway.authz.namespaces.public.colour (ignored)",
                "unknown config key gateway.limts.max-frame-bytes (ignored)");
    }

    @Test
    void readsResumeAndHistoryKeysAndValidatesThem() {
        Config c = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(ConfigSources.create(Map.of(
                        "gateway.auth.hs256-secret", "0123456789abcdef0123456789abcdef",
                        "gateway.history.address", "history:7080",
                        "gateway.history.timeout", "PT3S",
                        "gateway.resume.page-size", "50",
                        "gateway.resume.max-messages", "400",
                        "gateway.resume.max-buffer-bytes", "2097152",
                        "gateway.resume.coalesce-ttl", "PT1S",
                        "gateway.resume.coalesce-max-bytes", "1000000"))).build();
        GatewayConfig config = GatewayConfig.from(c);
        assertThat(config.historyAddress()).contains("history:7080");
        assertThat(config.historyTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.resumePageSize()).isEqualTo(50);
        assertThat(config.resumeMaxMessages()).isEqualTo(400);
        assertThat(config.resumeMaxBufferBytes()).isEqualTo(2_097_152);
        assertThat(config.resumeCoalesceTtl()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.resumeCoalesceMaxBytes()).isEqualTo(1_000_000);

        GatewayConfig defaults = GatewayConfig.builder().hs256Secret("0123456789abcdef0123456789abcdef").build();
        assertThat(defaults.historyAddress()).isEmpty();
        assertThat(defaults.resumePageSize()).isEqualTo(200);
        assertThat(defaults.resumeMaxMessages()).isEqualTo(1000);
        assertThat(defaults.resumeMaxBufferBytes()).isEqualTo(1_048_576);
        assertThat(defaults.resumeCoalesceTtl()).isEqualTo(Duration.ofSeconds(2));

        assertThatThrownBy(() -> GatewayConfig.builder().historyAddress("no-port"))
                .hasMessage("gateway.history.address: 'no-port' (expected: host:port)");
        assertThatThrownBy(() -> GatewayConfig.builder().resumePageSize(1001))
                .hasMessage("gateway.resume.page-size: 1001 (expected: 1-1000)");
        assertThatThrownBy(() -> GatewayConfig.builder().resumeCoalesceTtl(Duration.ZERO))
                .hasMessage("gateway.resume.coalesce-ttl: PT0S (expected: > PT0S)");
        assertThatThrownBy(() -> GatewayConfig.builder().hs256Secret("0123456789abcdef0123456789abcdef")
                .resumeMaxBufferBytes(4096).build())
                .hasMessageStartingWith("gateway.resume.max-buffer-bytes: 4096 (expected: >= limits.max-frame-bytes");
    }

    @Test
    void reportsBadDurationsWithTheFullKey() {
        Config config = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(ConfigSources.create(Map.of("gateway.publish-timeout", "10s",
                        "gateway.auth.hs256-secret", SECRET))).build();
        assertThatThrownBy(() -> GatewayConfig.from(config))
                .hasMessage("gateway.publish-timeout: '10s' (expected: an ISO-8601 duration such as PT30S)");
    }

    @Test
    void mainLayersEnvironmentThenSystemPropertiesThenFileThenClasspathDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gw.yaml");
        Files.writeString(file, """
                gateway:
                  port: 9100
                  connect-timeout: PT3S
                  auth:
                    hs256-secret: "%s"
                """.formatted(SECRET));
        System.setProperty("gateway.connect-timeout", "PT4S");
        try {
            GatewayConfig c = GatewayConfig.load(Optional.of(file));
            assertThat(c.port()).isEqualTo(9100);                              // file over classpath default
            assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(4));  // system property over file
            assertThat(c.publishTimeout()).isEqualTo(Duration.ofSeconds(10)); // classpath default
        } finally {
            System.clearProperty("gateway.connect-timeout");
        }
        assertThatThrownBy(() -> GatewayConfig.load(Optional.of(dir.resolve("missing.yaml"))))
                .hasMessageContaining("expected: a readable YAML file");
    }
}
