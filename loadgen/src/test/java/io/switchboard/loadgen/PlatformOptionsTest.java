package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PlatformOptionsTest {
    /** The G1 flags every server JVM reads as {@code java @FILE}; the generator's jar must run without the repository. */
    private static final Path SERVER_G1_FLAGS = Path.of("..", "deploy", "jvm", "server-g1.jvm-options");

    /** The flags of a launcher argument file: '#' starts a comment to the end of the line (the file uses no quotes). */
    private static List<String> argumentFile(Path file) throws Exception {
        List<String> flags = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String code = line.replaceFirst("#.*", "").strip();
            if (!code.isEmpty()) {
                flags.addAll(Arrays.asList(code.split("\\s+")));
            }
        }
        return flags;
    }

    /** As the generator's command line parses them (enum values in any case). */
    private static PlatformOptions options(String... args) {
        PlatformOptions options = new PlatformOptions();
        new CommandLine(options).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return options;
    }

    @Test
    void theDefaultServerJvmOptionsAreThoseOfSwitchboardRun() throws Exception {
        PlatformOptions options = options();

        List<String> expected = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
        expected.addAll(argumentFile(SERVER_G1_FLAGS));
        assertThat(options.serverJvmOptions).containsExactlyElementsOf(expected);
    }

    @Test
    void theUnsafeMemoryAccessFlagIsAddedOnlyForAJdkThatKnowsIt() {
        PlatformOptions options = options("--server-jvm-options", "-Xmx1g");

        if (Runtime.version().feature() >= 24) {
            assertThat(options.serverJvm()).containsExactly("--sun-misc-unsafe-memory-access=allow", "-Xmx1g");
        } else {
            assertThat(options.serverJvm()).containsExactly("-Xmx1g");
        }
    }

    private static final String UP_WITH_NETTY = "Switchboard is up: kafka 127.0.0.1:9092 (data /tmp/k), gateways"
            + " ws://127.0.0.1:20001/ws (netty ws://127.0.0.1:40001/ws) ws://127.0.0.1:40002/ws"
            + " (netty ws://127.0.0.1:40003/ws), routers router-1 grpc :7070, metrics :41234, presence grpc :7071;"
            + " status http://127.0.0.1:20001/launcher/status";

    @Test
    void theMainListenersAreReadFromTheStartUpLineInGatewayOrder() {
        assertThat(PlatformOptions.gatewayUrls(UP_WITH_NETTY, PlatformOptions.Listener.MAIN)).containsExactly(
                URI.create("ws://127.0.0.1:20001/ws"), URI.create("ws://127.0.0.1:40002/ws"));
        assertThat(PlatformOptions.gatewayUrls(UP_WITH_NETTY, PlatformOptions.Listener.NETTY)).containsExactly(
                URI.create("ws://127.0.0.1:40001/ws"), URI.create("ws://127.0.0.1:40003/ws"));
    }

    @Test
    void aGatewaysOwnLogLineDoesNotMakeThePlatformReady() {
        // Logged when the port is bound, before the platform admits clients (they would be refused 503).
        String gatewayLine = "INFO Gateway gateway-1 listening on ws://127.0.0.1:20001/ws (netty ws://127.0.0.1:40001/ws)";

        assertThat(PlatformOptions.gatewayUrls(gatewayLine, PlatformOptions.Listener.MAIN)).isEmpty();
        assertThat(PlatformOptions.gatewayUrls(gatewayLine, PlatformOptions.Listener.NETTY)).isEmpty();
    }

    @Test
    void aPlatformWithoutNettyListenersOffersNoNettyUrls() {
        String up = "Switchboard is up: kafka 127.0.0.1:9092, gateways ws://127.0.0.1:20001/ws ws://127.0.0.1:40002/ws,"
                + " routers router-1 grpc :7070; status http://127.0.0.1:20001/launcher/status";

        assertThat(PlatformOptions.gatewayUrls(up, PlatformOptions.Listener.MAIN)).containsExactly(
                URI.create("ws://127.0.0.1:20001/ws"), URI.create("ws://127.0.0.1:40002/ws"));
        assertThat(PlatformOptions.gatewayUrls(up, PlatformOptions.Listener.NETTY)).isEmpty();
    }

    @Test
    void theListenerIsTheMainPortUnlessNettyIsAsked() {
        assertThat(options().listener).isEqualTo(PlatformOptions.Listener.MAIN);
        assertThat(options("--listener", "netty").listener)
                .isEqualTo(PlatformOptions.Listener.NETTY);
    }
}
