package io.switchboard.testkit;

import io.switchboard.proto.client.v1.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks the platform's promise over a run: every acknowledged message reaches every subscriber of its room,
 * exactly once, in position order, at the position its ack named, and each publisher's messages into a room in
 * the order it sent them. Publishers report sends ({@link #sent}, for the send-order check) and acks; each
 * subscriber reports what it received. Thread-safe.
 *
 * <p>{@link #acrossFailovers()} relaxes one rule: a message may be delivered at another position than its ack
 * named. That happens when a router died after writing a message to Kafka but before acknowledging it, and the
 * gateway's retry on the next router stored the same id again: the log then holds it twice, the application
 * gets it once (at its first position, the SDK drops the copy by id), and the ack names the second position.
 * Such ids are counted by {@link #storedTwice()} instead of reported as violations.
 */
public final class DeliveryChecker {
    private record Acked(String room, String id, long position) {
    }

    /**
     * A message's publisher, its place among that publisher's sends, and how often the application sent it (more
     * than once after the SDK reported it failed: said in a violation, as it tells where to look).
     */
    private record Sent(String publisher, long index, AtomicInteger sends) {
        String resent() {
            return sends.get() > 1 ? ", sent " + sends.get() + " times by the application" : "";
        }
    }

    private final Map<String, Map<String, Long>> ackedByRoom = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Sent>> sentByRoom = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> sendsByPublisher = new ConcurrentHashMap<>();
    private final Map<String, Subscriber> subscribers = new ConcurrentHashMap<>();
    private final Set<String> storedTwice = ConcurrentHashMap.newKeySet();
    private final boolean tolerateStoredTwice;

    /** The strict checker: every delivery at exactly the acked position. */
    public DeliveryChecker() {
        this(false);
    }

    private DeliveryChecker(boolean tolerateStoredTwice) {
        this.tolerateStoredTwice = tolerateStoredTwice;
    }

    /** A checker for runs with router failures, where an id may be stored twice (see the class comment). */
    public static DeliveryChecker acrossFailovers() {
        return new DeliveryChecker(true);
    }

    /** Ids delivered at another position than acked (only counted by {@link #acrossFailovers()} checkers). */
    public int storedTwice() {
        violations();
        return storedTwice.size();
    }

    /** Deliveries to every subscriber so far. */
    public long deliveries() {
        return subscribers.values().stream().mapToLong(Subscriber::receivedCount).sum();
    }

    /**
     * Records that {@code publisher} sent the message {@code id} into {@code room}, after every message it reported
     * before (a resend of the same id keeps its first place).
     */
    public void sent(String publisher, String room, String id) {
        Map<String, Sent> sent = sentByRoom.computeIfAbsent(room, r -> new ConcurrentHashMap<>());
        Sent earlier = sent.get(id);
        if (earlier != null) {
            earlier.sends().incrementAndGet();
            return;
        }
        sent.putIfAbsent(id, new Sent(publisher,
                sendsByPublisher.computeIfAbsent(publisher, p -> new AtomicLong()).getAndIncrement(), new AtomicInteger(1)));
    }

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

    /**
     * Where each subscriber's missing messages lie, one entry per subscriber and room with any: a run that lost
     * many messages is summarised here even when its per-message {@link #violations()} are cut short, and what the
     * subscriber received around them tells a gap it never heard of (messages after it arrived) from a subscription
     * that stopped (nothing after it).
     */
    public List<Gap> gaps() {
        List<Gap> gaps = new ArrayList<>();
        for (Subscriber s : subscribers.values()) {
            gaps.addAll(s.gaps());
        }
        return gaps;
    }

    /**
     * A subscriber's missing messages of one room.
     *
     * @param missing          acked messages of the room it never received
     * @param firstMissing     the lowest acked position among them
     * @param lastMissing      the highest
     * @param received         messages of the room it received
     * @param lastBefore       the highest position it received below {@code firstMissing}, or -1
     * @param receivedBetween  messages it received between the first and the last missing position
     * @param firstAfter       the lowest position it received above {@code lastMissing}, or -1 (it received nothing
     *                         of the room after them)
     */
    public record Gap(String subscriber, String room, int missing, long firstMissing, long lastMissing, int received,
                      long lastBefore, long receivedBetween, long firstAfter) {
        /** One line for a report. */
        public String describe() {
            return subscriber + ": " + missing + " acked messages of " + room + " never delivered, at positions "
                    + firstMissing + " to " + lastMissing + "; of the room it received " + received + ", the last"
                    + " before them at " + lastBefore + ", " + receivedBetween + " between them, the first after"
                    + " them " + (firstAfter < 0 ? "never" : "at " + firstAfter);
        }
    }

    /** Every breach of the promise, described; empty when the run kept it. */
    public List<String> violations() {
        return typedViolations().stream().map(Violation::text).toList();
    }

    /** The breaches counted by kind. */
    public Tally tally() {
        List<Violation> all = typedViolations();
        return new Tally(count(all, Kind.LOST), count(all, Kind.DUPLICATE), count(all, Kind.OUT_OF_ORDER),
                count(all, Kind.MISPLACED), count(all, Kind.OUT_OF_SEND_ORDER));
    }

    /**
     * Breaches by kind: acked messages some subscriber lacks, messages delivered twice, deliveries out of
     * position order, deliveries at another position than acked (strict checkers only), and deliveries of a
     * publisher's message before one it sent earlier into the same room (messages reported with {@link #sent}).
     */
    public record Tally(long lost, long duplicates, long outOfOrder, long misplaced, long outOfSendOrder) {
    }

    private enum Kind { LOST, DUPLICATE, OUT_OF_ORDER, MISPLACED, OUT_OF_SEND_ORDER }

    private record Violation(Kind kind, String text) {
    }

    private static long count(List<Violation> all, Kind kind) {
        return all.stream().filter(v -> v.kind() == kind).count();
    }

    private List<Violation> typedViolations() {
        List<Violation> problems = new ArrayList<>();
        for (Subscriber s : subscribers.values()) {
            problems.addAll(s.problems());
            for (Acked missing : s.missing()) {
                problems.add(new Violation(Kind.LOST,
                        s.name + ": missing " + missing.room + " id " + missing.id + " at " + missing.position));
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

        private List<Gap> gaps() {
            List<Gap> gaps = new ArrayList<>();
            synchronized (lock) {
                for (String room : rooms) {
                    List<Message> got = receivedByRoom.getOrDefault(room, List.of());
                    Set<String> ids = new HashSet<>();
                    got.forEach(m -> ids.add(m.getId()));
                    long[] missing = ackedByRoom.getOrDefault(room, Map.of()).entrySet().stream()
                            .filter(e -> !ids.contains(e.getKey())).mapToLong(Map.Entry::getValue).sorted().toArray();
                    if (missing.length == 0) {
                        continue;
                    }
                    long first = missing[0];
                    long last = missing[missing.length - 1];
                    gaps.add(new Gap(name, room, missing.length, first, last, got.size(),
                            got.stream().mapToLong(Message::getPosition).filter(p -> p < first).max().orElse(-1),
                            got.stream().mapToLong(Message::getPosition).filter(p -> p > first && p < last).count(),
                            got.stream().mapToLong(Message::getPosition).filter(p -> p > last).min().orElse(-1)));
                }
            }
            return gaps;
        }

        private List<Violation> problems() {
            List<Violation> problems = new ArrayList<>();
            synchronized (lock) {
                receivedByRoom.forEach((room, messages) -> {
                    Set<String> ids = new HashSet<>();
                    long last = -1;
                    Map<String, Sent> sent = sentByRoom.getOrDefault(room, Map.of());
                    Map<String, Message> lastSent = new HashMap<>();
                    for (Message m : messages) {
                        boolean first = ids.add(m.getId());
                        if (!first) {
                            problems.add(new Violation(Kind.DUPLICATE, name + ": duplicate " + room + " id " + m.getId() + " at " + m.getPosition()));
                        }
                        Sent place = first ? sent.get(m.getId()) : null;
                        if (place != null) {
                            Message latest = lastSent.get(place.publisher());
                            Sent latestPlace = latest == null ? null : sent.get(latest.getId());
                            if (latestPlace != null && place.index() < latestPlace.index()) {
                                problems.add(new Violation(Kind.OUT_OF_SEND_ORDER, name + ": " + room + " id " + m.getId()
                                        + " (at " + m.getPosition() + place.resent() + ") of " + place.publisher()
                                        + " delivered after " + latest.getId() + " (at " + latest.getPosition()
                                        + latestPlace.resent() + "), which it sent later"));
                            } else {
                                lastSent.put(place.publisher(), m);
                            }
                        }
                        if (m.getPosition() <= last) {
                            problems.add(new Violation(Kind.OUT_OF_ORDER, name + ": out of order in " + room + ": " + m.getPosition() + " after " + last));
                        }
                        last = Math.max(last, m.getPosition());
                        Long ackedAt = ackedByRoom.getOrDefault(room, Map.of()).get(m.getId());
                        if (ackedAt != null && ackedAt != m.getPosition() && tolerateStoredTwice) {
                            storedTwice.add(room + "/" + m.getId());
                        } else if (ackedAt != null && ackedAt != m.getPosition()) {
                            problems.add(new Violation(Kind.MISPLACED, name + ": " + room + " id " + m.getId() + " delivered at " + m.getPosition() + " but acked at " + ackedAt));
                        }
                    }
                });
            }
            return problems;
        }
    }
}
