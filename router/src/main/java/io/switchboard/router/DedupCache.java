package io.switchboard.router;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Remembers recent publishes by (sender user, id) so that retries coalesce onto one Kafka send and later
 * retries get the original position. Bounded in entries and in time (expire after write). An entry holds
 * the send's future from the moment the send starts, so a concurrent retry waits for the same outcome; a
 * failed send is evicted so that the next retry sends again.
 *
 * <p>Direct messages ({@code SendToUser}) share the same bound and window under their own key type, {@link
 * DirectKey} ("user:&lt;target user&gt;/&lt;id&gt;"), which never equals a publish {@link Key}: the two id
 * spaces cannot collide. Thread-safe.
 */
final class DedupCache {
    /** The idempotency key: ids are unique per sender user. */
    record Key(String userId, String id) {
    }

    /** One publish: the room it went to (to catch an id reused for another room) and its outcome. */
    record Entry(String room, CompletableFuture<EnvelopeLog.Stored> stored) {
    }

    /** The idempotency key of a direct message: ids are unique per target user. */
    record DirectKey(String userId, String id) {
        @Override
        public String toString() {
            return "user:" + userId + "/" + id;
        }
    }

    /** One direct message: how many devices it went to (0: the user was offline). */
    record Delivery(CompletableFuture<Integer> devices) {
    }

    /** Values are {@link Entry} under a {@link Key} and {@link Delivery} under a {@link DirectKey}, nothing else. */
    private final Cache<Object, Object> cache;

    DedupCache(long maxEntries, Duration ttl, Ticker ticker) {
        this.cache = RouterCaches.onCallingThread(ticker)
                .maximumSize(maxEntries)
                .expireAfterWrite(ttl)
                .build();
    }

    /** The remembered publish for {@code key}, or null. */
    Entry find(Key key) {
        return (Entry) cache.getIfPresent(key);
    }

    /** Records {@code entry} unless {@code key} is already there; returns the earlier entry, or null if claimed. */
    Entry claim(Key key, Entry entry) {
        return (Entry) cache.asMap().putIfAbsent(key, entry);
    }

    /** Remembers a publish stored by any router (the room log's index), unless {@code key} is already there. */
    void remember(Key key, Entry entry) {
        cache.asMap().putIfAbsent(key, entry);
    }

    /** The remembered direct message for {@code key}, or null. */
    Delivery find(DirectKey key) {
        return (Delivery) cache.getIfPresent(key);
    }

    /** Records {@code delivery} unless {@code key} is already there; returns the earlier one, or null if claimed. */
    Delivery claim(DirectKey key, Delivery delivery) {
        return (Delivery) cache.asMap().putIfAbsent(key, delivery);
    }

    /** Forgets {@code delivery} (and only it). */
    void evict(DirectKey key, Delivery delivery) {
        cache.asMap().remove(key, delivery);
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
