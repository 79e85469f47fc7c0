package io.switchboard.gateway.ws;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.switchboard.proto.client.v1.ErrorCode;

/**
 * Every live connection of one gateway, for counting, for closing them all on drain and for waiting until they
 * are gone. Thread-safe.
 */
public final class ConnectionRegistry {
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition emptied = lock.newCondition();

    void add(ClientSession session) {
        sessions.add(session);
    }

    void remove(ClientSession session) {
        if (sessions.remove(session) && sessions.isEmpty()) {
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
