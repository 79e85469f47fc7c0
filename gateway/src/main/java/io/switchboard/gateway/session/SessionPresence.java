package io.switchboard.gateway.session;

import java.time.Clock;
import java.util.concurrent.locks.ReentrantLock;

import io.switchboard.gateway.presence.PresenceChanges;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.SetStatus;

/**
 * What one session tells presence: that it opened (after Connect) and closed, the rooms it joined and left, and
 * the status its user set (SetStatus). "Opened" and "closed" are reported at most once each and in that order,
 * even when the connection closes while Connect is being handled; "closed" is not reported for a session that
 * never opened.
 *
 * <p>Thread-safe: the opened/closed pair is guarded by {@code lock}; the other reports are forwarded as they
 * come ({@link PresenceChanges} ignores changes of sessions it does not know).
 */
final class SessionPresence {
    /** Longest SetStatus text, in characters. */
    static final int MAX_STATUS_TEXT = 128;

    private final String sessionId;
    private final PresenceChanges presence;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    // @GuardedBy("lock")
    private boolean opened;
    // @GuardedBy("lock")
    private boolean closed;

    SessionPresence(String sessionId, PresenceChanges presence, Clock clock) {
        this.sessionId = sessionId;
        this.presence = presence;
        this.clock = clock;
    }

    /** The session authenticated as {@code userId}; ignored once it closed. */
    void opened(String userId, String client) {
        lock.lock();
        try {
            if (!closed) {
                opened = true;
                presence.opened(sessionId, userId, client, clock.instant());
            }
        } finally {
            lock.unlock();
        }
    }

    /** The session is gone; reported once, and only when it had opened. */
    void closed() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                if (opened) {
                    presence.closed(sessionId);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    void joined(String room) {
        presence.joined(sessionId, room);
    }

    void left(String room) {
        presence.left(sessionId, room);
    }

    /** Answers a SetStatus: validates it, reports it and acknowledges it (UNAVAILABLE without presence). */
    ServerFrame setStatus(SetStatus set) {
        int rid = set.getRequestId();
        PresenceStatus status = set.getStatus();
        if (status != PresenceStatus.ONLINE && status != PresenceStatus.AWAY && status != PresenceStatus.BUSY) {
            return ServerFrames.error(rid, new ClientError(ErrorCode.BAD_REQUEST,
                    "status: " + status + " (expected: ONLINE, AWAY or BUSY)"), "");
        }
        if (set.getText().codePointCount(0, set.getText().length()) > MAX_STATUS_TEXT) {
            return ServerFrames.error(rid, new ClientError(ErrorCode.BAD_REQUEST,
                    "text: " + set.getText().length() + " characters (expected: <= " + MAX_STATUS_TEXT + ")"), "");
        }
        if (!presence.enabled()) {
            return ServerFrames.error(rid, new ClientError(ErrorCode.UNAVAILABLE, "presence is not configured"), "");
        }
        presence.status(sessionId, status, set.getText());
        return ServerFrames.ack(rid);
    }
}
