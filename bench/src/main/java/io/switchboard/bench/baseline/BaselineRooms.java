package io.switchboard.bench.baseline;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A baseline server's in-memory rooms: each room's subscribers and the last position handed out in it, and the
 * session ids. Rooms are never removed (a baseline lives for one run). Thread-safe.
 *
 * @param <P> the transport's connection type
 */
public final class BaselineRooms<P> {
    private final ConcurrentMap<String, Room<P>> rooms = new ConcurrentHashMap<>();
    private final AtomicLong sessions = new AtomicLong();

    /** Creates an empty registry. */
    public BaselineRooms() {
    }

    /** A room's subscribers and the last position handed out in it. */
    static final class Room<P> {
        private final Set<P> subscribers = ConcurrentHashMap.newKeySet();
        private final AtomicLong position = new AtomicLong();

        Collection<P> subscribers() {
            return subscribers;
        }

        long nextPosition() {
            return position.incrementAndGet();
        }
    }

    String nextSessionId() {
        return BaselineFrames.NAME + "-" + sessions.incrementAndGet();
    }

    Room<P> room(String name) {
        return rooms.computeIfAbsent(name, n -> new Room<>());
    }

    void join(String name, P connection) {
        room(name).subscribers.add(connection);
    }

    void leave(String name, P connection) {
        Room<P> room = rooms.get(name);
        if (room != null) {
            room.subscribers.remove(connection);
        }
    }
}
