package io.switchboard.history;

import io.switchboard.history.store.MessageStore;

import java.lang.System.Logger.Level;
import java.time.InstantSource;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * Applies retention to every room: deletes messages older than their namespace's max age, then the oldest
 * beyond its max count; the store records per room the highest deleted position. Runs on the server's
 * scheduler every {@code history.retention.sweep-interval}; tests call {@link #sweep()} directly with an
 * injected clock. Thread-safe (the store serializes writers).
 */
final class RetentionSweeper {
    private static final System.Logger LOG = System.getLogger(RetentionSweeper.class.getName());

    private final MessageStore store;
    private final Function<String, RetentionPolicy> policies;
    private final InstantSource clock;
    private final LongConsumer deleted;

    RetentionSweeper(MessageStore store, Function<String, RetentionPolicy> policies, InstantSource clock,
                     LongConsumer deleted) {
        this.store = store;
        this.policies = policies;
        this.clock = clock;
        this.deleted = deleted;
    }

    /** One pass over every room; returns how many messages it deleted. */
    long sweep() {
        long now = clock.millis();
        long total = 0;
        for (String room : store.rooms()) {
            RetentionPolicy policy = policies.apply(room);
            long cutoff = now - policy.maxAge().toMillis();
            long n = store.deleteExpired(room, cutoff, policy.maxMessages());
            if (n > 0) {
                deleted.accept(n);
                total += n;
            }
        }
        if (total > 0) {
            LOG.log(Level.DEBUG, "retention deleted " + total + " messages");
        }
        return total;
    }

    /** {@link #sweep()} for the scheduler: logs a failure instead of cancelling the schedule. */
    void sweepLogged() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "retention sweep failed; retrying at the next interval", e);
        }
    }
}
