package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.gateway.GatewayKeys;
import io.switchboard.gateway.authz.AuthzKeys;
import io.switchboard.gateway.tls.TlsKeys;
import io.switchboard.gateway.limits.LimitKeys;
import io.switchboard.gateway.session.ConflationKeys;
import io.switchboard.gateway.sse.SseKeys;
import io.switchboard.gateway.warmup.WarmUpKeys;
import io.switchboard.gateway.ws.ProtocolKeys;
import io.switchboard.gateway.ws.deflate.CompressionKeys;
import io.switchboard.gateway.ws.netty.NettyKeys;
import io.switchboard.history.HistoryKeys;
import io.switchboard.presence.PresenceKeys;
import io.switchboard.router.RouterKeys;
import io.switchboard.router.api.ApiKeys;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.config.GeneratedBlocks;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeyCatalogue;
import io.switchboard.service.config.KeyTables;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The key tables of {@code docs/configuration.md} are the catalogues': this test fails when they differ. To
 * rewrite them after changing a key, run it with {@code -Dconfiguration.docs.write=true} (see
 * docs/contributing.md).
 */
class ConfigurationDocsTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");
    private static final List<KeyCatalogue> TIERS = List.of(GatewayKeys.CATALOGUE, RouterKeys.CATALOGUE,
            PresenceKeys.CATALOGUE, HistoryKeys.CATALOGUE);

    /** Every generated block of the document, by name. */
    static Map<String, String> blocks() {
        Map<String, String> blocks = new LinkedHashMap<>();
        blocks.put("launcher", KeyTables.table(LauncherKeys.SECTION, List.of()));
        blocks.put("kafka", KeyTables.sharedTable(KafkaKeys.SECTION, ConfigurationDocsTest::readBy));
        blocks.put("gateway", KeyTables.table(GatewayKeys.SECTION, GatewayKeys.CATALOGUE.passthroughs()));
        blocks.put("gateway-authz", KeyTables.table(AuthzKeys.SECTION, List.of()));
        blocks.put("gateway-tls", KeyTables.table(TlsKeys.SECTION, List.of()));
        blocks.put("gateway-limits", KeyTables.table(LimitKeys.SECTION, List.of()));
        blocks.put("gateway-protocol", KeyTables.table(ProtocolKeys.SECTION, List.of()));
        blocks.put("gateway-compression", KeyTables.table(CompressionKeys.SECTION, List.of()));
        blocks.put("gateway-netty", KeyTables.table(NettyKeys.SECTION, List.of()));
        blocks.put("gateway-conflation", KeyTables.table(ConflationKeys.SECTION, List.of()));
        blocks.put("gateway-http-fallback", KeyTables.table(SseKeys.SECTION, List.of()));
        blocks.put("gateway-warm-up", KeyTables.table(WarmUpKeys.SECTION, List.of()));
        blocks.put("router", KeyTables.table(RouterKeys.SECTION, RouterKeys.CATALOGUE.passthroughs()));
        blocks.put("router-api", KeyTables.table(ApiKeys.SECTION, List.of()));
        blocks.put("presence", KeyTables.table(PresenceKeys.SECTION, PresenceKeys.CATALOGUE.passthroughs()));
        blocks.put("history", KeyTables.table(HistoryKeys.SECTION, HistoryKeys.CATALOGUE.passthroughs()));
        return blocks;
    }

    private static String readBy(Key<?> key) {
        return TIERS.stream().filter(c -> c.contains(key)).map(KeyCatalogue::root).collect(Collectors.joining(", "));
    }

    @Test
    void theKeyTablesAreTheCatalogues() throws Exception {
        String written = Files.readString(DOC, StandardCharsets.UTF_8);
        String generated = GeneratedBlocks.render(written, blocks());
        if (Boolean.getBoolean("configuration.docs.write") && !generated.equals(written)) {
            Files.writeString(DOC, generated, StandardCharsets.UTF_8);
            return;
        }
        assertThat(written)
                .as("docs/configuration.md differs from the key catalogues; rewrite its tables with"
                        + " ./mvnw -pl launcher test -Dskip.npm=true -Dsdk.tests.skip=true -Dtest=ConfigurationDocsTest"
                        + " -Dconfiguration.docs.write=true")
                .isEqualTo(generated);
    }

    @Test
    void everySharedKafkaKeyIsReadBySomeTier() {
        KafkaKeys.SECTION.keys().forEach(key -> assertThat(readBy(key)).as(key.name()).isNotEmpty());
    }
}
