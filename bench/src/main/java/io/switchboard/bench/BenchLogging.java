package io.switchboard.bench;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The {@code java.util.logging} level of the servers a benchmark runs in its JVM. Stateless. */
public final class BenchLogging {
    private BenchLogging() {
    }

    /**
     * Sets the root logger and its handlers to {@code level} (a {@link Level} name such as {@code WARNING}): the
     * servers log every connection at INFO, and with thousands of clients that drowns the results.
     */
    public static void level(String level) {
        Level parsed = Level.parse(level);
        Logger root = Logger.getLogger("");
        root.setLevel(parsed);
        for (Handler handler : root.getHandlers()) {
            handler.setLevel(parsed);
        }
    }
}
