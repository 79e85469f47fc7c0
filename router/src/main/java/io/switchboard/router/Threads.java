package io.switchboard.router;

import java.lang.System.Logger.Level;
import java.util.concurrent.ThreadFactory;

/** Named threads that log what escapes them. Stateless, hence thread-safe. */
final class Threads {
    private static final System.Logger LOG = System.getLogger(Threads.class.getName());
    private static final Thread.UncaughtExceptionHandler LOG_UNCAUGHT = (thread, e) ->
            LOG.log(Level.ERROR, "uncaught exception in thread " + thread.getName(), e);

    private Threads() {
    }

    /** Platform daemon threads named {@code prefix + n}. */
    static ThreadFactory factory(String prefix) {
        return Thread.ofPlatform().name(prefix, 0).daemon(true).uncaughtExceptionHandler(LOG_UNCAUGHT).factory();
    }

    /** Virtual threads named {@code prefix + n}: for work that may block briefly, such as a Kafka send. */
    static ThreadFactory virtualFactory(String prefix) {
        return Thread.ofVirtual().name(prefix, 0).uncaughtExceptionHandler(LOG_UNCAUGHT).factory();
    }
}
