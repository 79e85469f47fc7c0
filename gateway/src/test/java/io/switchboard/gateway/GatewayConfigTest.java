package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayKeys.AUTH;
import static io.switchboard.gateway.GatewayKeys.CONNECT_TIMEOUT;
import static io.switchboard.gateway.GatewayKeys.HISTORY_ADDRESS;
import static io.switchboard.gateway.GatewayKeys.HISTORY_TIMEOUT;
import static io.switchboard.gateway.GatewayKeys.HOST;
import static io.switchboard.gateway.GatewayKeys.ID;
import static io.switchboard.gateway.GatewayKeys.MAX_FRAME_BYTES;
import static io.switchboard.gateway.GatewayKeys.MAX_OUTBOUND_QUEUE_BYTES;
import static io.switchboard.gateway.GatewayKeys.MAX_PAYLOAD_BYTES;
import static io.switchboard.gateway.GatewayKeys.MAX_SUBSCRIPTIONS;
import static io.switchboard.gateway.GatewayKeys.PORT;
import static io.switchboard.gateway.GatewayKeys.PUBLISH_TIMEOUT;
import static io.switchboard.gateway.GatewayKeys.RESUME_COALESCE_MAX_BYTES;
import static io.switchboard.gateway.GatewayKeys.RESUME_COALESCE_TTL;
import static io.switchboard.gateway.GatewayKeys.RESUME_MAX_BUFFER_BYTES;
import static io.switchboard.gateway.GatewayKeys.RESUME_MAX_MESSAGES;
import static io.switchboard.gateway.GatewayKeys.RESUME_PAGE_SIZE;
import static io.switchboard.gateway.GatewayKeys.ROUTERS;
import static io.switchboard.gateway.GatewayKeys.WS_PATH;

import io.switchboard.service.ConfigFiles;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.config.KeyCatalogue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.switchboard.gateway.routing.RouterEndpoint;
import io.switchboard.gateway.tls.TlsKeys;
import io.switchboard.gateway.tls.TlsSettings;
import io.switchboard.testkit.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayConfigTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @Test
    void defaults() {
        GatewayConfig c = GatewayConfig.builder().set(AUTH.hs256Secret, SECRET).build();
        assertThat(c.get(HOST)).isEqualTo("0.0.0.0");
        assertThat(c.get(PORT)).isEqualTo(8080);
        assertThat(c.get(WS_PATH)).isEqualTo("/ws");
        assertThat(c.find(ID)).isEmpty();
        assertThat(c.routers()).containsExactly(new RouterEndpoint("127.0.0.1", 7070));
        assertThat(c.get(CONNECT_TIMEOUT)).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.get(PUBLISH_TIMEOUT)).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.get(AUTH.clockSkew)).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.get(MAX_SUBSCRIPTIONS)).isEqualTo(100);
        assertThat(c.get(MAX_PAYLOAD_BYTES)).isEqualTo(65_536);
        assertThat(c.get(MAX_FRAME_BYTES)).isEqualTo(131_072);
        assertThat(c.get(MAX_OUTBOUND_QUEUE_BYTES)).isEqualTo(1_048_576L);
        assertThat(c.get(KafkaKeys.BOOTSTRAP_SERVERS)).isEqualTo("127.0.0.1:9092");
        assertThat(c.get(KafkaKeys.TOPIC_NAME)).isEqualTo("switchboard.rooms");
    }

    @Test
    void rejectsBadValuesWithTheNameAndTheExpectation() {
        assertThatThrownBy(() -> GatewayConfig.builder().set(AUTH.hs256Secret, "short"))
                .hasMessage("gateway.auth.hs256-secret: 5 bytes (expected: >= 32 bytes)");
        assertThatThrownBy(() -> GatewayConfig.builder().set(PORT, 70000))
                .hasMessage("gateway.port: 70000 (expected: 0-65535)");
        assertThatThrownBy(() -> GatewayConfig.builder().set(CONNECT_TIMEOUT, Duration.ZERO))
                .hasMessage("gateway.connect-timeout: PT0S (expected: > PT0S)");
        assertThatThrownBy(() -> GatewayConfig.builder().set(ROUTERS, List.of("a:1", "a:1")))
                .hasMessageContaining("expected: no duplicates");
        assertThatThrownBy(() -> GatewayConfig.builder().set(AUTH.publicKey, "nope").build())
                .hasMessageContaining("gateway.auth.rs256-public-key");
        assertThatThrownBy(() -> GatewayConfig.builder().build())
                .hasMessageContaining("gateway.auth: no key");
        assertThatThrownBy(() -> GatewayConfig.builder().set(AUTH.hs256Secret, SECRET).set(MAX_PAYLOAD_BYTES, 200_000)
                .build())
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
        List<String> warnings;
        GatewayConfig c;
        try (LogCapture capture = LogCapture.of(KeyCatalogue.class)) {
            warnings = capture.messages();
            c = GatewayConfig.from(config);
        }
        assertThat(c.get(PORT)).isEqualTo(9000);
        assertThat(c.find(ID)).contains("gw-1");
        assertThat(c.routers()).extracting(RouterEndpoint::toString).containsExactly("r1:7070", "r2:7071");
        assertThat(c.get(CONNECT_TIMEOUT)).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.keySet().publicKeyPem()).isPresent();
        assertThat(c.find(AUTH.hs256Secret)).isEmpty();
        assertThat(c.find(AUTH.issuer)).contains("https://auth");
        assertThat(c.keySet().jwksUrl()).contains(java.net.URI.create("https://auth.example/jwks.json"));
        assertThat(c.keySet().jwksFile()).contains(Path.of("/etc/switchboard/jwks.json"));
        assertThat(List.of(c.keySet().refreshInterval(), c.keySet().minRefetchInterval(), c.keySet().fetchTimeout()))
                .containsExactly(Duration.ofMinutes(10), Duration.ofSeconds(2), Duration.ofSeconds(3));
        assertThat(c.authz().policies().forRoom("public:news").everyone()).hasSize(2);
        assertThat(c.authz().directDefault().allows("bob")).isFalse();
        assertThat(c.get(MAX_SUBSCRIPTIONS)).isEqualTo(7);
        assertThat(c.get(KafkaKeys.BOOTSTRAP_SERVERS)).isEqualTo("k:9092");
        assertThat(c.get(KafkaKeys.TOPIC_NAME)).isEqualTo("t");
        assertThat(c.consumerProperties()).containsEntry("fetch.max.wait.ms", "100");
        assertThat(warnings).containsExactlyInAnyOrder(
                "unknown config key gateway.authz.namespaces.public.colour (ignored)",
                "unknown config key gateway.limts.max-frame-bytes (ignored)");
    }

    @Test
    void readsResumeAndHistoryKeysAndValidatesThem() {
        GatewayConfig config = fromKeys(Map.of(
                "gateway.auth.hs256-secret", "0123456789abcdef0123456789abcdef",
                "gateway.history.address", "history:7080",
                "gateway.history.timeout", "PT3S",
                "gateway.resume.page-size", "50",
                "gateway.resume.max-messages", "400",
                "gateway.resume.max-buffer-bytes", "2097152",
                "gateway.resume.coalesce-ttl", "PT1S",
                "gateway.resume.coalesce-max-bytes", "1000000"));
        assertThat(config.find(HISTORY_ADDRESS)).contains(List.of("history:7080"));
        assertThat(config.get(HISTORY_TIMEOUT)).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.get(RESUME_PAGE_SIZE)).isEqualTo(50);
        assertThat(config.get(RESUME_MAX_MESSAGES)).isEqualTo(400);
        assertThat(config.get(RESUME_MAX_BUFFER_BYTES)).isEqualTo(2_097_152L);
        assertThat(config.get(RESUME_COALESCE_TTL)).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.get(RESUME_COALESCE_MAX_BYTES)).isEqualTo(1_000_000L);

        GatewayConfig defaults = GatewayConfig.builder().set(AUTH.hs256Secret, SECRET).build();
        assertThat(defaults.find(HISTORY_ADDRESS)).isEmpty();
        assertThat(defaults.get(RESUME_PAGE_SIZE)).isEqualTo(200);
        assertThat(defaults.get(RESUME_MAX_MESSAGES)).isEqualTo(1_000_000);
        assertThat(defaults.get(RESUME_MAX_BUFFER_BYTES)).isEqualTo(1_048_576L);
        assertThat(defaults.get(RESUME_COALESCE_TTL)).isEqualTo(Duration.ofSeconds(2));

        assertThatThrownBy(() -> GatewayConfig.builder().set(HISTORY_ADDRESS, List.of("h:7080", "h:7080")))
                .hasMessageContaining("expected: no duplicates");
        assertThatThrownBy(() -> GatewayConfig.builder().set(RESUME_PAGE_SIZE, 1001))
                .hasMessage("gateway.resume.page-size: 1001 (expected: 1-1000)");
        assertThatThrownBy(() -> GatewayConfig.builder().set(RESUME_COALESCE_TTL, Duration.ZERO))
                .hasMessage("gateway.resume.coalesce-ttl: PT0S (expected: > PT0S)");
        assertThatThrownBy(() -> GatewayConfig.builder().set(AUTH.hs256Secret, "0123456789abcdef0123456789abcdef")
                .set(RESUME_MAX_BUFFER_BYTES, 4096L).build())
                .hasMessageStartingWith("gateway.resume.max-buffer-bytes: 4096 (expected: >= limits.max-frame-bytes");
    }

    @Test
    void readsTlsKeysAndRequiresTheCertificateAndTheKeyTogether() {
        TlsSettings tls = fromKeys(Map.of(
                "gateway.auth.hs256-secret", SECRET,
                "gateway.tls.certificate", "/etc/switchboard/tls/tls.crt",
                "gateway.tls.private-key", "/etc/switchboard/tls/tls.key",
                "gateway.tls.reload-interval", "PT30S")).tls().orElseThrow();
        assertThat(tls.certificate()).isEqualTo(Path.of("/etc/switchboard/tls/tls.crt"));
        assertThat(tls.privateKey()).isEqualTo(Path.of("/etc/switchboard/tls/tls.key"));
        assertThat(tls.reloadInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(tls.protocols()).isEmpty();
        assertThat(tls.cipherSuites()).isEmpty();

        GatewayConfig plain = GatewayConfig.builder().set(AUTH.hs256Secret, SECRET).build();
        assertThat(plain.tls()).isEmpty();
        assertThat(plain.get(TlsKeys.RELOAD_INTERVAL)).isEqualTo(Duration.ofSeconds(10));
        assertThat(GatewayConfig.builder().set(AUTH.hs256Secret, SECRET).set(TlsKeys.CERTIFICATE, Path.of("a.crt"))
                .set(TlsKeys.PRIVATE_KEY, Path.of("a.key")).set(TlsKeys.PROTOCOLS, List.of("TLSv1.3")).build()
                .tls().orElseThrow().protocols()).containsExactly("TLSv1.3");

        assertThatThrownBy(() -> GatewayConfig.builder().set(AUTH.hs256Secret, SECRET)
                .set(TlsKeys.CERTIFICATE, Path.of("a.crt")).build())
                .hasMessage("gateway.tls.certificate: a.crt (expected: set together with gateway.tls.private-key)");
        assertThatThrownBy(() -> GatewayConfig.builder().set(AUTH.hs256Secret, SECRET)
                .set(TlsKeys.PRIVATE_KEY, Path.of("a.key")).build())
                .hasMessage("gateway.tls.certificate: <unset> (expected: set together with gateway.tls.private-key)");
        assertThatThrownBy(() -> GatewayConfig.builder().set(TlsKeys.RELOAD_INTERVAL, Duration.ZERO))
                .hasMessage("gateway.tls.reload-interval: PT0S (expected: > PT0S)");
    }

    @Test
    void reportsBadDurationsWithTheFullKey() {
        assertThatThrownBy(() -> fromKeys(Map.of("gateway.publish-timeout", "10s",
                "gateway.auth.hs256-secret", SECRET)))
                .hasMessage("gateway.publish-timeout: '10s' (expected: an ISO-8601 duration such as PT30S)");
    }

    @Test
    void mainLayersEnvironmentThenSystemPropertiesThenFileThenCatalogueDefaults(@TempDir Path dir) throws Exception {
        Path file = configFile(dir, """
                gateway:
                  port: 9100
                  connect-timeout: PT3S
                  auth:
                    hs256-secret: "%s"
                """.formatted(SECRET));
        GatewayConfig c = withSystemProperties(Map.of("gateway.connect-timeout", "PT4S"),
                () -> GatewayConfig.from(ConfigFiles.load(Optional.of(file))));
        assertThat(c.get(PORT)).isEqualTo(9100);                              // file over the default
        assertThat(c.get(CONNECT_TIMEOUT)).isEqualTo(Duration.ofSeconds(4));  // system property over file
        assertThat(c.get(PUBLISH_TIMEOUT)).isEqualTo(Duration.ofSeconds(10)); // the catalogue default
        assertThatThrownBy(() -> GatewayConfig.from(ConfigFiles.load(Optional.of(dir.resolve("missing.yaml")))))
                .hasMessageContaining("expected: a readable YAML file");
    }

    /** The gateway configuration of only {@code keys}: no environment variables, no system properties, no file. */
    static GatewayConfig fromKeys(Map<String, String> keys) {
        return GatewayConfig.from(Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(ConfigSources.create(keys)).build());
    }

    /** {@code yaml} written to a gateway configuration file in {@code dir}. */
    static Path configFile(Path dir, String yaml) throws IOException {
        return Files.writeString(dir.resolve("gw.yaml"), yaml);
    }

    /** What {@code read} returns with {@code properties} set as system properties; they are cleared afterwards. */
    static <T> T withSystemProperties(Map<String, String> properties, Supplier<T> read) {
        properties.forEach(System::setProperty);
        try {
            return read.get();
        } finally {
            properties.keySet().forEach(System::clearProperty);
        }
    }
}
