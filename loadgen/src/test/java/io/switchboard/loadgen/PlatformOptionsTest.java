package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

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

    @Test
    void theDefaultServerJvmOptionsAreThoseOfSwitchboardRun() throws Exception {
        PlatformOptions options = CommandLine.populateCommand(new PlatformOptions());

        List<String> expected = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
        expected.addAll(argumentFile(SERVER_G1_FLAGS));
        assertThat(options.serverJvmOptions).containsExactlyElementsOf(expected);
    }

    @Test
    void theUnsafeMemoryAccessFlagIsAddedOnlyForAJdkThatKnowsIt() {
        PlatformOptions options = CommandLine.populateCommand(new PlatformOptions(), "--server-jvm-options", "-Xmx1g");

        if (Runtime.version().feature() >= 24) {
            assertThat(options.serverJvm()).containsExactly("--sun-misc-unsafe-memory-access=allow", "-Xmx1g");
        } else {
            assertThat(options.serverJvm()).containsExactly("-Xmx1g");
        }
    }
}
