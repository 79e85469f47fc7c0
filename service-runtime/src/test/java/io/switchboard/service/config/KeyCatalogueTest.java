package io.switchboard.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The catalogue machinery on a small tier of its own: reading, defaults, checks, rules, unknown keys, tables. */
class KeyCatalogueTest {
    private static final KeySection.Builder S = KeySection.builder("Demo (`demo.*`)");
    static final Key<Integer> PORT = S.define("demo.port", ValueType.INT).byDefault(8080).check(Check.port())
            .doc("Port.");
    static final Key<Integer> FRAME = S.define("demo.max-frame", ValueType.BYTES).byDefault(1024)
            .check(Check.atLeast(16)).doc("Largest frame.");
    static final Key<Integer> PAYLOAD = S.define("demo.max-payload", ValueType.BYTES).byDefault(512)
            .check(Check.atLeast(1)).doc("Largest payload | below the frame.");
    static final Key<Duration> TIMEOUT = S.define("demo.timeout", ValueType.DURATION).byDefault(Duration.ofDays(7))
            .check(Check.positive()).doc("Timeout.");
    static final Key<String> SECRET = S.define("demo.secret", ValueType.STRING).secret().check(Check.minBytes(8))
            .doc("Secret.");
    static final Key<List<String>> PEERS = S.define("demo.peers", ValueType.listOf(ValueType.HOST_PORT))
            .byDefault(List.of("a:1")).doc("Peers.");
    static final PatternKey<Long> LIMIT = S.pattern("demo.rooms.<ns>.limit", ValueType.LONG)
            .check(Check.atLeast(1)).unsetMeans("`demo.limit`").doc("Per namespace.");
    static final KeySection SECTION = S.rule(Rule.below(PAYLOAD, FRAME)).build();
    static final KeyCatalogue CATALOGUE = KeyCatalogue.builder("demo").section(SECTION)
            .passthrough("demo.client", Map.of("acks", "we own it"), Map.of(), "Client properties.").build();

    private static Settings read(Map<String, String> values) {
        return CATALOGUE.read(Config.just(ConfigSources.create(values)));
    }

    @Test
    void absentAndBlankValuesTakeTheirDefaults() {
        Settings s = read(Map.of("demo.port", " "));
        assertThat(s.get(PORT)).isEqualTo(8080);
        assertThat(s.get(TIMEOUT)).isEqualTo(Duration.ofDays(7));
        assertThat(s.find(SECRET)).isEmpty();
        assertThatThrownBy(() -> s.get(SECRET)).hasMessage("demo.secret is unset and has no default");
    }

    @Test
    void readsTypedValuesSizesListsFamiliesAndPassthroughs() {
        Settings s = read(Map.of("demo.port", "9000", "demo.max-frame", "2KiB", "demo.peers", "x:1, y:2",
                "demo.rooms.big.room.limit", "5", "demo.rooms.chat.limit", "7", "demo.client.linger.ms", "3"));
        assertThat(s.get(PORT)).isEqualTo(9000);
        assertThat(s.get(FRAME)).isEqualTo(2048);
        assertThat(s.get(PEERS)).containsExactly("x:1", "y:2");
        assertThat(s.byName(LIMIT)).containsExactly(Map.entry("big.room", 5L), Map.entry("chat", 7L));
        assertThat(s.passthrough("demo.client")).containsExactly(Map.entry("linger.ms", "3"));
    }

    @Test
    void badValuesAndBrokenRulesAreReportedInOneShape() {
        assertThatThrownBy(() -> read(Map.of("demo.port", "http"))).hasMessage("demo.port: 'http' (expected: an integer)");
        assertThatThrownBy(() -> read(Map.of("demo.port", "70000"))).hasMessage("demo.port: 70000 (expected: 0-65535)");
        assertThatThrownBy(() -> read(Map.of("demo.timeout", "7d")))
                .hasMessage("demo.timeout: '7d' (expected: an ISO-8601 duration such as PT30S)");
        assertThatThrownBy(() -> read(Map.of("demo.peers", "x:1,nope")))
                .hasMessage("demo.peers: 'nope' (expected: host:port)");
        assertThatThrownBy(() -> read(Map.of("demo.max-payload", "4096")))
                .hasMessage("demo.max-payload: 4096 (expected: < max-frame 1024)");
        assertThatThrownBy(() -> read(Map.of("demo.client.acks", "1")))
                .hasMessage("demo.client.acks: '1' (expected: not set: we own it)");
        assertThatThrownBy(() -> read(Map.of("demo.rooms.chat.limit", "0")))
                .hasMessage("demo.rooms.chat.limit: 0 (expected: >= 1)");
    }

    @Test
    void secretsAreNeverPrinted() {
        assertThatThrownBy(() -> read(Map.of("demo.secret", "short"))).hasMessage("demo.secret: 5 bytes (expected: >= 8 bytes)");
        Settings s = read(Map.of("demo.secret", "a-long-secret"));
        assertThat(s.toString()).contains("demo.secret=<secret>").doesNotContain("a-long-secret");
    }

    @Test
    void valuesSetInCodeAreCheckedLikeValuesReadFromFiles() {
        Settings.Builder b = CATALOGUE.builder();
        assertThatThrownBy(() -> b.set(PEERS, List.of("no-port"))).hasMessage("demo.peers: 'no-port' (expected: host:port)");
        assertThatThrownBy(() -> b.set(PORT, -1)).hasMessage("demo.port: -1 (expected: 0-65535)");
        assertThat(b.set(PORT, 1).set(LIMIT, "chat", 3L).build().byName(LIMIT)).containsEntry("chat", 3L);
    }

    @Test
    void unknownKeysUnderTheRootAreFound() {
        Config config = Config.just(ConfigSources.create(Map.of("demo.prot", "1", "demo.peers.0", "a:1",
                "demo.rooms.chat.limt", "2", "demo.client.anything", "x", "other.key", "y")));
        assertThat(CATALOGUE.unknownKeys(config)).containsExactly("demo.prot", "demo.rooms.chat.limt");
    }

    @Test
    void tablesListEveryKeyWithTypeDefaultAndVariable() {
        String table = KeyTables.table(SECTION, CATALOGUE.passthroughs());
        assertThat(table).contains("| `demo.port` | integer, 0-65535 | `8080` | `DEMO_PORT` | Port. |")
                .contains("| `demo.timeout` | duration, > PT0S | `P7D` | `DEMO_TIMEOUT` |")
                .contains("`DEMO_PEERS` (comma-separated) or `DEMO_PEERS_0`")
                .contains("| `demo.rooms.<ns>.limit` | integer, >= 1 | `demo.limit` | `DEMO_ROOMS_<NS>_LIMIT` |")
                .contains("Largest payload \\| below the frame.")
                .contains("| `demo.client.*` | properties | none | `DEMO_CLIENT_<PROPERTY>` | Client properties."
                        + " Refused (startup error): `acks`. |");
    }

    @Test
    void generatedBlocksAreReplacedAndEveryBlockIsAccountedFor() {
        String doc = "intro\n<!-- BEGIN GENERATED: a (note) -->\nold\n<!-- END GENERATED: a -->\nend\n";
        assertThat(GeneratedBlocks.render(doc, Map.of("a", "new\n")))
                .isEqualTo("intro\n<!-- BEGIN GENERATED: a (note) -->\nnew\n<!-- END GENERATED: a -->\nend\n");
        assertThatThrownBy(() -> GeneratedBlocks.render(doc, Map.of("a", "x", "b", "y"))).hasMessageContaining("[b]");
        assertThatThrownBy(() -> GeneratedBlocks.render(doc, Map.of())).hasMessageContaining("block a");
    }
}
