package io.switchboard.gateway.debug;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The gateway's debug sessions. Started and ended by the admin endpoint, read by every connection's
 * {@link FrameTap} for every frame: {@link #active()} is one volatile read, and only while a session runs does a
 * tap look further. A session past its end no longer matches and is removed by the next {@link #sweep()} (the
 * gateway's timer, every second) or start. Thread-safe: copy-on-write, since reads vastly outnumber changes.
 */
public final class DebugSessions {
    private static final Logger LOG = Logger.getLogger(DebugSessions.class.getName());

    private final Clock clock;
    private final Duration maxDuration;
    private final CopyOnWriteArrayList<DebugSession> sessions = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean active;

    public DebugSessions(Clock clock, Duration maxDuration) {
        this.clock = clock;
        this.maxDuration = maxDuration;
    }

    /**
     * Starts logging the frames of {@code target} {@code value} for {@code duration}.
     *
     * @throws IllegalArgumentException when {@code value} is empty or {@code duration} is not within
     *                                  (0, gateway.admin.debug-max-duration]
     */
    public DebugSession start(DebugSession.Target target, String value, Duration duration, boolean payloads) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(target.key() + ": '' (expected: not empty)");
        }
        if (duration.isNegative() || duration.isZero() || duration.compareTo(maxDuration) > 0) {
            throw new IllegalArgumentException("duration: " + duration + " (expected: > PT0S and <= " + maxDuration
                    + ", gateway.admin.debug-max-duration)");
        }
        DebugSession s = new DebugSession("d" + ids.incrementAndGet(), target, value, clock.instant().plus(duration),
                payloads);
        sessions.add(s);
        active = true;
        LOG.info(() -> "debug " + s.id() + ": logging frames of " + target.key() + " " + value + " until " + s.until()
                + (payloads ? " with payloads" : " (payloads redacted)"));
        sweep();
        return s;
    }

    /** Ends session {@code id} now; false when there is none. */
    public boolean end(String id) {
        boolean removed = sessions.removeIf(s -> s.id().equals(id));
        if (removed) {
            LOG.info(() -> "debug " + id + ": ended by the admin endpoint");
            active = !sessions.isEmpty();
        }
        return removed;
    }

    /** Removes sessions past their end. */
    public void sweep() {
        Instant now = clock.instant();
        for (DebugSession s : sessions) {
            if (!now.isBefore(s.until()) && sessions.remove(s)) {
                LOG.info(() -> "debug " + s.id() + ": time is up, frame logging of " + s.target().key() + " "
                        + s.value() + " ended");
            }
        }
        active = !sessions.isEmpty();
    }

    /** True while some session may match: the per-frame fast path. */
    public boolean active() {
        return active;
    }

    /** The running sessions (some may have just passed their end). */
    public List<DebugSession> list() {
        return List.copyOf(sessions);
    }

    /** The first running session that matches, if any. */
    Optional<DebugSession> matching(String sessionId, String userId, String room) {
        Instant now = clock.instant();
        for (DebugSession s : sessions) {
            if (now.isBefore(s.until()) && s.matches(sessionId, userId, room)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
