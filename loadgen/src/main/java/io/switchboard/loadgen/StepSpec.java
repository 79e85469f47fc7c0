package io.switchboard.loadgen;

/**
 * One publishing phase, in {@link System#nanoTime()} terms shared by every process of the generator (Linux's
 * CLOCK_MONOTONIC): publishes intended in [start, warmupEnd) are warm-up (recorded apart), those in
 * [warmupEnd, end) are measured. Immutable.
 *
 * @param index        0, 1, ... (part of message ids, so a later step never repeats an earlier id)
 * @param rate         publishes per second over all publishers
 * @param start        intended time of the first publish
 * @param warmupEnd    start of the measurement window
 * @param end          end of the measurement window (no publish is intended at or after it)
 * @param quietNanos   a worker reports once nothing arrived for this long after {@code end} and every
 *                     measured publish was answered
 * @param drainNanos   ... or once this long after {@code end} has passed
 */
record StepSpec(int index, double rate, long start, long warmupEnd, long end, long quietNanos, long drainNanos) {
    StepSpec {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate: " + rate + " (expected: > 0)");
        }
        if (warmupEnd - start < 0 || end - warmupEnd <= 0) {
            throw new IllegalArgumentException("window: start " + start + ", warmupEnd " + warmupEnd + ", end " + end
                    + " (expected: start <= warmupEnd < end)");
        }
    }

    boolean measured(long intended) {
        return intended - warmupEnd >= 0 && intended - end < 0;
    }

    boolean warmup(long intended) {
        return intended - start >= 0 && intended - warmupEnd < 0;
    }

    /** Whole or partial seconds from the step's start to its end: the length of its timeline. */
    long seconds() {
        return (end - start + 999_999_999L) / 1_000_000_000L;
    }

    /** The second of the step (0 = the first) in which a publish intended at {@code intended} falls; -1 before it. */
    long secondOf(long intended) {
        long since = intended - start;
        return since < 0 ? -1 : since / 1_000_000_000L;
    }

    /** Intended send time of the {@code n}-th publish of the step (over all publishers). */
    long intendedTime(long n) {
        return start + Math.round(n * 1e9 / rate);
    }
}
