package io.switchboard.bench.presence;

import io.switchboard.proto.client.v1.ServerFrame;

/**
 * One client's view of the room during a presence-join run: whether its Subscribe was answered, how many
 * PresenceEvent frames (and payload bytes) it received, the member count of the latest one, and when that
 * count first became the expected one. {@link #onFrame} runs on the client's I/O thread (one frame at a time);
 * the run reads the fields from its own thread, so every field is written by that one thread only and
 * published through {@code volatile}. Thread-safe for one writer and any number of readers.
 */
final class PresenceWatcher {
    private final long expectedUsers;
    private volatile int subscribeRequestId;
    private volatile int pageRequestId;
    // Single writer (the I/O thread): plain increments of volatile fields are safe.
    private volatile long subscribedAtNanos;
    private volatile String error;
    private volatile long frames;
    private volatile long bytes;
    private volatile long summaries;
    private volatile long latestUsers = -1;
    private volatile long consistentAtNanos;
    private volatile boolean viaPage;
    private volatile long lastEventAtNanos;

    PresenceWatcher(long expectedUsers) {
        this.expectedUsers = expectedUsers;
    }

    /** Call before sending the Subscribe with this request id. */
    void subscribing(int requestId) {
        subscribeRequestId = requestId;
    }

    /** Call before sending the PresenceQuery with this request id. */
    void querying(int requestId) {
        pageRequestId = requestId;
    }

    void onFrame(ServerFrame frame) {
        long now = System.nanoTime();
        if (frame.hasPresence()) {
            frames++;
            bytes += frame.getSerializedSize();
            if (frame.getPresence().getSummary()) {
                summaries++;
            }
            lastEventAtNanos = now;
            seen(frame.getPresence().getUsers(), now, false);
        } else if (frame.hasSubscribed() && frame.getSubscribed().getRequestId() == subscribeRequestId) {
            subscribedAtNanos = now;
        } else if (frame.hasPresencePage() && frame.getPresencePage().getRequestId() == pageRequestId) {
            seen(frame.getPresencePage().getUsers(), now, true);
        } else if (frame.hasError() && error == null) {
            error = frame.getError().getCode() + " " + frame.getError().getMessage();
        }
    }

    void closed(String how) {
        if (error == null) {
            error = "closed: " + how;
        }
    }

    private void seen(long users, long now, boolean page) {
        latestUsers = users;
        if (users != expectedUsers) {
            consistentAtNanos = 0;
        } else if (consistentAtNanos == 0) {
            consistentAtNanos = now;
            viaPage = page;
        }
    }

    boolean subscribed() {
        return subscribedAtNanos != 0;
    }

    long subscribedAtNanos() {
        return subscribedAtNanos;
    }

    /** True while the latest count this client saw is the expected one. */
    boolean consistent() {
        return consistentAtNanos != 0;
    }

    long consistentAtNanos() {
        return consistentAtNanos;
    }

    boolean viaPage() {
        return viaPage;
    }

    long latestUsers() {
        return latestUsers;
    }

    long lastEventAtNanos() {
        return lastEventAtNanos;
    }

    long frames() {
        return frames;
    }

    long bytes() {
        return bytes;
    }

    long summaries() {
        return summaries;
    }

    String error() {
        return error;
    }

    /** A snapshot of this client's figures. */
    ClientReport report() {
        return new ClientReport(subscribedAtNanos, consistentAtNanos, viaPage, latestUsers, frames, bytes, summaries,
                error);
    }
}
