package io.switchboard.gateway.ws;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs a connection's cleanup once Helidon's connection thread has ended, however the connection ended. Helidon 4.5
 * does not tell the listener when a connection ends abruptly (a reset, an oversized frame), but the connection's
 * thread always ends. The gateway's timer calls {@link #sweep} every second, which checks each watched thread (a
 * field read), instead of a parked virtual thread joining each connection: an idle connection costs a map entry,
 * not a thread and its stack. Cleanup is idempotent, so running it after Helidon's own {@code onClose} is harmless.
 * A cap that is full sweeps at once too ({@link #sweep} from the connection that would be refused), so that a
 * connection that has ended never counts against a cap until the next tick. Thread-safe.
 */
public final class TransportReaper {
    private static final Logger LOG = Logger.getLogger(TransportReaper.class.getName());

    private final Map<Thread, Runnable> watched = new ConcurrentHashMap<>();

    /**
     * Runs {@code cleanup} at the first sweep after {@code connectionThread} has ended, after the cleanups already
     * registered for it (the upgrade's connection caps, then the session).
     */
    public void watch(Thread connectionThread, Runnable cleanup) {
        watched.merge(connectionThread, cleanup, (first, then) -> () -> {
            try {
                first.run();
            } finally {
                then.run();
            }
        });
    }

    /** Connections still watched. */
    public int size() {
        return watched.size();
    }

    /**
     * Cleans up after every watched connection whose thread has ended. Any thread, also concurrently: each cleanup
     * runs once, on the sweep that takes it out of the map.
     */
    public void sweep() {
        for (Map.Entry<Thread, Runnable> e : watched.entrySet()) {
            if (!e.getKey().isAlive() && watched.remove(e.getKey(), e.getValue())) {
                try {
                    e.getValue().run();
                } catch (RuntimeException failure) {
                    LOG.log(Level.WARNING, "cleanup of an ended connection failed", failure);
                }
            }
        }
    }
}
