package io.switchboard.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the most recent message keys (room, sender, id), evicting the least recently seen past its
 * capacity. Backs up position-based dedup where positions cannot decide (e.g. before a room's epoch is
 * known). Not thread-safe: event loop only.
 */
final class Deduplicator {
    private final Map<String, Boolean> seen;

    Deduplicator(int capacity) {
        this.seen = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** True the first time a key is offered (within the capacity window), false for a repeat. */
    boolean firstTime(String room, String sender, String id) {
        String key = room + '\u0000' + sender + '\u0000' + id;
        return seen.put(key, Boolean.TRUE) == null;
    }

    int size() {
        return seen.size();
    }
}
