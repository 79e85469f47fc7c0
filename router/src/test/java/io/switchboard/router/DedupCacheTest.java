package io.switchboard.router;

import io.switchboard.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class DedupCacheTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void claimReturnsTheEarlierEntryAndEvictRemovesOnlyTheGivenOne() {
        DedupCache cache = new DedupCache(100, Duration.ofMinutes(1), InProcessRouter.ticker(clock));
        DedupCache.Key key = new DedupCache.Key("alice", "m-1");
        DedupCache.Entry first = entry();
        DedupCache.Entry second = entry();

        assertThat(cache.claim(key, first)).isNull();
        assertThat(cache.claim(key, second)).isSameAs(first);
        cache.evict(key, second);
        assertThat(cache.find(key)).isSameAs(first);
        cache.evict(key, first);
        assertThat(cache.find(key)).isNull();
    }

    @Test
    void entriesExpireAfterWriteByTheInjectedTicker() {
        DedupCache cache = new DedupCache(100, Duration.ofMinutes(1), InProcessRouter.ticker(clock));
        DedupCache.Key key = new DedupCache.Key("alice", "m-1");
        cache.claim(key, entry());

        clock.advance(Duration.ofSeconds(59));
        assertThat(cache.find(key)).isNotNull();
        clock.advance(Duration.ofSeconds(2));
        assertThat(cache.find(key)).isNull();
    }

    @Test
    void sizeIsBoundedByMaxEntries() {
        DedupCache cache = new DedupCache(10, Duration.ofMinutes(1), InProcessRouter.ticker(clock));
        for (int i = 0; i < 100; i++) {
            cache.claim(new DedupCache.Key("alice", "m-" + i), entry());
        }
        cache.cleanUp();

        assertThat(cache.size()).isLessThanOrEqualTo(10);
    }

    private static DedupCache.Entry entry() {
        return new DedupCache.Entry("room", new CompletableFuture<>());
    }
}
