package io.switchboard.bench;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Option;

/**
 * The {@code --log-level} option every benchmark command mixes in: the {@code java.util.logging} level of the
 * servers a benchmark runs in its JVM.
 */
public final class BenchLogging {
    @Option(names = "--log-level", defaultValue = "WARNING",
            description = "java.util.logging level of the servers under test (default: ${DEFAULT-VALUE}).")
    String level;

    /**
     * Sets the root logger and its handlers to the chosen level (a {@link Level} name such as {@code WARNING}): the
     * servers log every connection at INFO, and with thousands of clients that drowns the results.
     */
    public void apply() {
        Level parsed = Level.parse(level);
        Logger root = Logger.getLogger("");
        root.setLevel(parsed);
        for (Handler handler : root.getHandlers()) {
            handler.setLevel(parsed);
        }
    }
}
