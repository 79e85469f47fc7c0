package io.switchboard.router;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

/** How the router's in-memory caches (dedup, ephemeral throttle, presence lookups, publish lanes) are built. */
final class RouterCaches {
    private RouterCaches() {
    }

    /**
     * A Caffeine builder whose time comes from {@code ticker} and whose maintenance runs on the calling thread: no
     * hidden pool, and eviction and expiry are deterministic in tests. The caller adds its bounds.
     */
    static Caffeine<Object, Object> onCallingThread(Ticker ticker) {
        return Caffeine.newBuilder().ticker(ticker).executor(Runnable::run);
    }
}
