package io.switchboard.router;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Remembers recent publishes by (sender user, id) so that retries coalesce onto one Kafka send and later
 * retries get the original position. Bounded in entries and in time (expire after write). An entry holds
 * the send's future from the moment the send starts, so a concurrent retry waits for the same outcome; a
 * failed send is evicted so that the next retry sends again. Thread-safe.
 */
final class DedupCache {
    /** The idempotency key: ids are unique per sender user. */
    record Key(String userId, String id) {
    }

    /** One publish: the room it went to (to catch an id reused for another room) and its outcome. */
    record Entry(String room, CompletableFuture<EnvelopeLog.Stored> stored) {
    }

    private final Cache<Key, Entry> cache;

    DedupCache(long maxEntries, Duration ttl, Ticker ticker) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfterWrite(ttl)
                .ticker(ticker)
                // Maintenance on the calling thread: no hidden pool, and eviction is deterministic in tests.
                .executor(Runnable::run)
                .build();
    }

    /** The remembered publish for {@code key}, or null. */
    Entry find(Key key) {
        return cache.getIfPresent(key);
    }

    /** Records {@code entry} unless {@code key} is already there; returns the earlier entry, or null if claimed. */
    Entry claim(Key key, Entry entry) {
        return cache.asMap().putIfAbsent(key, entry);
    }

    /** Forgets {@code entry} (and only it: a newer entry for the same key stays). */
    void evict(Key key, Entry entry) {
        cache.asMap().remove(key, entry);
    }

    /** Approximate number of remembered publishes. */
    long size() {
        return cache.estimatedSize();
    }

    /** Runs pending expiry and eviction now (tests and the size gauge). */
    void cleanUp() {
        cache.cleanUp();
    }
}
