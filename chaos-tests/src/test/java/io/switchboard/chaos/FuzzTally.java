package io.switchboard.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the network fuzz test sent and how each frame was answered, by kind, and every answer that broke the
 * protocol. Thread-safe.
 */
final class FuzzTally {
    private static final int MAX_FAILURES_KEPT = 50;

    private final Map<String, Map<String, LongAdder>> answers = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger failureCount = new AtomicInteger();
    private final LongAdder sent = new LongAdder();

    /** One frame of {@code kind} was sent. */
    void sent() {
        sent.increment();
    }

    long sentCount() {
        return sent.sum();
    }

    /** A frame of {@code kind} was answered with {@code outcome} (e.g. {@code "close 3502 PROTOCOL_ERROR"}). */
    void answered(String kind, String outcome) {
        answers.computeIfAbsent(kind, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome, o -> new LongAdder()).increment();
    }

    /** An answer broke the protocol. */
    void fail(String failure) {
        if (failureCount.incrementAndGet() <= MAX_FAILURES_KEPT) {
            failures.add(failure);
        }
    }

    int failureCount() {
        return failureCount.get();
    }

    List<String> failures() {
        return new ArrayList<>(failures);
    }

    /** Frames answered, over every kind. */
    long answeredCount() {
        return answers.values().stream().flatMap(m -> m.values().stream()).mapToLong(LongAdder::sum).sum();
    }

    /** The table: one line per kind and answer, with counts, and a total per kind. */
    String table() {
        StringBuilder out = new StringBuilder(String.format("%-52s %8s  %s%n", "kind of frame", "count", "answered with"));
        Map<String, Map<String, LongAdder>> sorted = new TreeMap<>(answers);
        sorted.forEach((kind, outcomes) -> {
            long total = outcomes.values().stream().mapToLong(LongAdder::sum).sum();
            out.append(String.format("%-52s %8d%n", kind, total));
            new TreeMap<>(outcomes).forEach((outcome, n) ->
                    out.append(String.format("%-52s %8d  %s%n", "", n.sum(), outcome)));
        });
        out.append(String.format("%-52s %8d%n", "total answered", answeredCount()));
        return out.toString();
    }
}
