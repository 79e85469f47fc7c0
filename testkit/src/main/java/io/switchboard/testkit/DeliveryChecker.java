package io.switchboard.testkit;

import io.switchboard.proto.client.v1.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks the platform's promise over a run: every acknowledged message reaches every subscriber of its room,
 * exactly once, in position order, at the position its ack named. Publishers report acks; each subscriber
 * reports what it received. Thread-safe.
 */
public final class DeliveryChecker {
    private record Acked(String room, String id, long position) {
    }

    private final Map<String, Map<String, Long>> ackedByRoom = new ConcurrentHashMap<>();
    private final Map<String, Subscriber> subscribers = new ConcurrentHashMap<>();

    /** Records that the message {@code id} in {@code room} was acknowledged at {@code position}. */
    public void acked(String room, String id, long position) {
        Long previous = ackedByRoom.computeIfAbsent(room, r -> new ConcurrentHashMap<>()).putIfAbsent(id, position);
        if (previous != null && previous != position) {
            throw new AssertionError("id " + id + " in " + room + " acked at " + previous + " and again at " + position);
        }
    }

    /** A new subscriber that expects every acked message of {@code rooms}. */
    public Subscriber subscriber(String name, Set<String> rooms) {
        Subscriber subscriber = new Subscriber(name, Set.copyOf(rooms));
        if (subscribers.putIfAbsent(name, subscriber) != null) {
            throw new IllegalArgumentException("subscriber " + name + " exists");
        }
        return subscriber;
    }

    /** Number of acknowledged messages so far. */
    public int ackedCount() {
        return ackedByRoom.values().stream().mapToInt(Map::size).sum();
    }

    /** True when every subscriber has received every acked message of its rooms (use with Awaitility). */
    public boolean allDelivered() {
        return subscribers.values().stream().allMatch(s -> s.missing().isEmpty());
    }

    /** Every breach of the promise, described; empty when the run kept it. */
    public List<String> violations() {
        List<String> problems = new ArrayList<>();
        for (Subscriber s : subscribers.values()) {
            problems.addAll(s.problems());
            for (Acked missing : s.missing()) {
                problems.add(s.name + ": missing " + missing.room + " id " + missing.id + " at " + missing.position);
            }
        }
        return problems;
    }

    /** One subscriber's received sequence. */
    public final class Subscriber {
        private final String name;
        private final Set<String> rooms;
        private final Object lock = new Object();
        // guarded by lock
        private final Map<String, List<Message>> receivedByRoom = new HashMap<>();

        private Subscriber(String name, Set<String> rooms) {
            this.name = name;
            this.rooms = rooms;
        }

        /** Records a delivered message, in the order the application would see it. */
        public void received(Message message) {
            synchronized (lock) {
                receivedByRoom.computeIfAbsent(message.getRoom(), r -> new ArrayList<>()).add(message);
            }
        }

        /** How many messages this subscriber has received. */
        public int receivedCount() {
            synchronized (lock) {
                return receivedByRoom.values().stream().mapToInt(List::size).sum();
            }
        }

        private List<Acked> missing() {
            List<Acked> missing = new ArrayList<>();
            synchronized (lock) {
                for (String room : rooms) {
                    Set<String> got = new HashSet<>();
                    for (Message m : receivedByRoom.getOrDefault(room, List.of())) {
                        got.add(m.getId());
                    }
                    ackedByRoom.getOrDefault(room, Map.of()).forEach((id, position) -> {
                        if (!got.contains(id)) {
                            missing.add(new Acked(room, id, position));
                        }
                    });
                }
            }
            return missing;
        }

        private List<String> problems() {
            List<String> problems = new ArrayList<>();
            synchronized (lock) {
                receivedByRoom.forEach((room, messages) -> {
                    Set<String> ids = new HashSet<>();
                    long last = -1;
                    for (Message m : messages) {
                        if (!ids.add(m.getId())) {
                            problems.add(name + ": duplicate " + room + " id " + m.getId() + " at " + m.getPosition());
                        }
                        if (m.getPosition() <= last) {
                            problems.add(name + ": out of order in " + room + ": " + m.getPosition() + " after " + last);
                        }
                        last = Math.max(last, m.getPosition());
                        Long ackedAt = ackedByRoom.getOrDefault(room, Map.of()).get(m.getId());
                        if (ackedAt != null && ackedAt != m.getPosition()) {
                            problems.add(name + ": " + room + " id " + m.getId() + " delivered at " + m.getPosition() + " but acked at " + ackedAt);
                        }
                    }
                });
            }
            return problems;
        }
    }
}
