package io.switchboard.gateway.fanout;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Room to local subscribers. Written by connection threads (subscribe, unsubscribe, close), read for every
 * record by the fan-out thread. Thread-safe: the map's per-key {@code compute} makes adding to and removing
 * from one room atomic (so an emptied room is dropped without losing a concurrent subscribe), and reads iterate
 * a concurrent set without locking (weakly consistent: a subscriber added during a delivery may or may not see it).
 */
public final class SubscriptionRegistry {
    private final ConcurrentHashMap<String, Set<Subscriber>> rooms = new ConcurrentHashMap<>();

    /** Adds {@code subscriber} to {@code room}; returns false when it already was there. */
    public boolean subscribe(String room, Subscriber subscriber) {
        boolean[] added = new boolean[1];
        rooms.compute(room, (r, set) -> {
            Set<Subscriber> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            added[0] = s.add(subscriber);
            return s;
        });
        return added[0];
    }

    /** Removes {@code subscriber} from {@code room}; returns false when it was not there. */
    public boolean unsubscribe(String room, Subscriber subscriber) {
        boolean[] removed = new boolean[1];
        rooms.computeIfPresent(room, (r, set) -> {
            removed[0] = set.remove(subscriber);
            return set.isEmpty() ? null : set;
        });
        return removed[0];
    }

    /** The subscribers of {@code room}; an empty set when none. The returned set must not be modified. */
    public Set<Subscriber> subscribers(String room) {
        Set<Subscriber> s = rooms.get(room);
        return s == null ? Set.of() : s;
    }

    /** Number of rooms with at least one local subscriber. */
    public int roomCount() {
        return rooms.size();
    }
}
