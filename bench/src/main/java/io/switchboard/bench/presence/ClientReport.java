package io.switchboard.bench.presence;

import java.util.Locale;

/**
 * One client's figures as a child JVM reports them to the parent, one {@code CLIENT} line each. Times are
 * {@link System#nanoTime()} values, 0 when it never happened: on Linux that clock is {@code CLOCK_MONOTONIC},
 * shared by every process of the machine, so the parent compares them with its own. Immutable.
 *
 * @param subscribedAtNanos when the Subscribed reply arrived
 * @param consistentAtNanos when the latest count first said the full number
 * @param viaPage           whether that count came from a PresenceQuery page (no later event reached the client)
 * @param latestUsers       the latest count seen, -1 if none
 * @param frames            PresenceEvent frames received
 * @param bytes             their WebSocket payload bytes
 * @param summaries         of which summaries
 * @param error             the first Error frame or close, null if none
 */
record ClientReport(long subscribedAtNanos, long consistentAtNanos, boolean viaPage, long latestUsers, long frames,
                    long bytes, long summaries, String error) {
    static final String PREFIX = "CLIENT ";

    boolean consistent() {
        return consistentAtNanos != 0;
    }

    /** The protocol line; the error comes last, on one line. */
    String toLine() {
        return String.format(Locale.ROOT, "%s%d %d %b %d %d %d %d %s", PREFIX, subscribedAtNanos, consistentAtNanos,
                viaPage, latestUsers, frames, bytes, summaries,
                error == null ? "-" : "!" + error.replace('\n', ' ').replace('\r', ' '));
    }

    static ClientReport parse(String line) {
        if (!line.startsWith(PREFIX)) {
            throw new IllegalArgumentException("line: " + line + " (expected: " + PREFIX + "...)");
        }
        String[] f = line.substring(PREFIX.length()).split(" ", 8);
        if (f.length != 8) {
            throw new IllegalArgumentException("line: " + line + " (expected: 8 fields)");
        }
        return new ClientReport(Long.parseLong(f[0]), Long.parseLong(f[1]), Boolean.parseBoolean(f[2]),
                Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]),
                f[7].equals("-") ? null : f[7].substring(1));
    }
}
