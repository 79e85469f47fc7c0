package io.switchboard.gateway.session;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.switchboard.proto.client.v1.ErrorCode;

/**
 * Every live connection of one gateway, for counting, for closing them all on drain, for waiting until they are
 * gone, and by user for direct messages and disconnects. Thread-safe: the user index is a concurrent map whose
 * per-key {@code compute} keeps adding to and emptying one user's set atomic; each user's set is immutable and
 * replaced on every change (a user has a handful of connections at most, and most users one: an immutable set of one
 * is a fraction of a concurrent set's memory, which an idle gateway pays per connection).
 */
public final class ConnectionRegistry {
    private final int maxPerUser;
    private final Runnable reapEnded;
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
    private final TokenExpiries expiries = new TokenExpiries();
    // Values are immutable, replaced inside the map's compute.
    private final ConcurrentHashMap<String, Set<ClientSession>> byUser = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition emptied = lock.newCondition();

    /** A registry without a per-user limit. */
    public ConnectionRegistry() {
        this(Integer.MAX_VALUE, () -> { });
    }

    /**
     * A registry that indexes at most {@code maxPerUser} authenticated connections per user.
     *
     * @param reapEnded cleans up now after the connections whose transport has ended (the transport reaper's
     *                  sweep): run when a user is at the cap, so that only connections still open count against it
     */
    public ConnectionRegistry(int maxPerUser, Runnable reapEnded) {
        if (maxPerUser < 1) {
            throw new IllegalArgumentException("maxPerUser: " + maxPerUser + " (expected: >= 1)");
        }
        this.maxPerUser = maxPerUser;
        this.reapEnded = reapEnded;
    }

    /** Authenticated connections one user may hold here ({@code gateway.limits.max-connections-per-user}). */
    public int maxPerUser() {
        return maxPerUser;
    }

    void add(ClientSession session) {
        sessions.add(session);
    }

    /**
     * Indexes an authenticated session under its user, unless the user already has {@link #maxPerUser()}
     * connections that are still open (checked and added atomically; connections that ended and wait for the
     * transport reaper are cleaned up first).
     *
     * @return false when the user is at the limit (nothing indexed)
     */
    boolean userConnected(ClientSession session, String userId) {
        if (tryIndex(session, userId)) {
            return true;
        }
        // Outside the map's compute: a cleanup removes sessions from this same map.
        reapEnded.run();
        return tryIndex(session, userId);
    }

    private boolean tryIndex(ClientSession session, String userId) {
        boolean[] added = {false};
        byUser.compute(userId, (u, set) -> {
            if (set == null) {
                added[0] = true;
                return Set.of(session);
            }
            if (set.size() >= maxPerUser || set.contains(session)) {
                return set;
            }
            added[0] = true;
            Set<ClientSession> more = new HashSet<>(set);
            more.add(session);
            return Set.copyOf(more);
        });
        return added[0];
    }

    /**
     * Files a connected session under its token's expiry for {@link #closeExpired}, again after each refresh; undone
     * when the session was removed meanwhile (its transport ended), so that no ended session stays filed.
     */
    void tokenAccepted(ClientSession session, Instant expiresAt) {
        expiries.put(session, expiresAt);
        // remove() takes the session out of the set before it unfiles it: one of the two sees the other.
        if (!sessions.contains(session)) {
            expiries.remove(session);
        }
    }

    void remove(ClientSession session) {
        String user = session.userId();
        if (!user.isEmpty()) {
            byUser.computeIfPresent(user, (u, set) -> {
                if (!set.contains(session)) {
                    return set;
                }
                Set<ClientSession> fewer = new HashSet<>(set);
                fewer.remove(session);
                return fewer.isEmpty() ? null : Set.copyOf(fewer);
            });
        }
        boolean removed = sessions.remove(session);
        expiries.remove(session); // after the set: see tokenAccepted
        if (removed && sessions.isEmpty()) {
            lock.lock();
            try {
                emptied.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    public int size() {
        return sessions.size();
    }

    /** The live connections now (a copy), for a paced drain. */
    public List<ClientSession> snapshot() {
        return List.copyOf(sessions);
    }

    /** The authenticated connections of {@code userId} (a copy; empty when none). */
    public List<ClientSession> ofUser(String userId) {
        Set<ClientSession> s = byUser.get(userId);
        return s == null ? List.of() : List.copyOf(s);
    }

    /**
     * Closes with TOKEN_EXPIRED every connection whose token expired at or before {@code cutoff}. Visits only those:
     * connections are filed by expiry when their token is accepted ({@link #tokenAccepted}).
     */
    public void closeExpired(Instant cutoff) {
        for (ClientSession s : expiries.takeExpired(cutoff)) {
            s.closeIfExpired(cutoff);
        }
    }

    /** Connections filed by token expiry (connected, not yet ended or expired). */
    int tokensFiled() {
        return expiries.size();
    }

    /** Asks every connection to close with {@code code}; frames already queued are written first. */
    public void closeAll(ErrorCode code, String reason) {
        for (ClientSession s : List.copyOf(sessions)) {
            s.close(code, reason);
        }
    }

    /** Tears down every remaining transport without a close handshake. */
    public void abortAll() {
        for (ClientSession s : List.copyOf(sessions)) {
            s.abort();
        }
    }

    /**
     * Waits until no connection is left or {@code timeout} passes.
     *
     * @return true when none is left
     */
    public boolean awaitEmpty(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            // remove() signals under the lock after removing, so a removal between the check and the wait is seen.
            while (!sessions.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                emptied.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
