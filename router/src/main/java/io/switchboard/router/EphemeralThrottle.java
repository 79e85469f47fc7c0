package io.switchboard.router;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;
import java.util.Objects;

/**
 * Lets at most one ephemeral event per (user, room, kind) through per {@code router.ephemeral.min-interval}:
 * a "typing" hint repeated by a client every keystroke becomes one record per interval. A stop event always
 * passes and resets the window, so that "started typing again" right after "stopped" is not lost.
 *
 * <p>Bounded in entries: when full, the oldest windows are dropped, which only lets an extra event through.
 * Time comes from the injected {@link Ticker}. Thread-safe.
 */
final class EphemeralThrottle {
    /** One throttled stream of events. */
    record Key(String userId, String room, String kind) {
    }

    private final boolean enabled;
    /** A present key means "an event passed less than min-interval ago". */
    private final Cache<Key, Boolean> recent;

    EphemeralThrottle(Duration minInterval, long maxEntries, Ticker ticker) {
        Objects.requireNonNull(minInterval, "minInterval");
        this.enabled = minInterval.isPositive();
        this.recent = RouterCaches.onCallingThread(ticker)
                .maximumSize(maxEntries)
                .expireAfterWrite(minInterval)
                .build();
    }

    /** Whether an event may pass now; a passing non-stop event opens a new window for its key. */
    boolean tryAcquire(Key key, boolean stop) {
        if (!enabled) {
            return true;
        }
        if (stop) {
            recent.invalidate(key);
            return true;
        }
        // Caffeine treats an expired entry as absent here even before it is cleaned up.
        return recent.asMap().putIfAbsent(key, Boolean.TRUE) == null;
    }

    /** Closes {@code key}'s window early (its event could not be written, so a retry should pass). */
    void forget(Key key) {
        recent.invalidate(key);
    }

    /** Approximate number of open windows. */
    long size() {
        return recent.estimatedSize();
    }
}
