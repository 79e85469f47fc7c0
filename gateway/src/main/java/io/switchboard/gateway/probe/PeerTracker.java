package io.switchboard.gateway.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The other gateways this one knows from their probes, and when each was last heard of. A peer is discovered by
 * its first probe, is <em>missing</em> while silent longer than the probe interval plus timeout, and is
 * forgotten when silent longer than the expiry or when it says goodbye. Times are {@link System#nanoTime()}-style
 * readings passed in. Thread-safe: probes arrive on the fan-out thread, checks run on the gateway's timer.
 */
final class PeerTracker {
    /** The outcome of one {@link #check}: peers to count as missing and peers just forgotten. */
    record Check(List<String> missing, List<String> expired) {
    }

    /** What the latest probe of a peer said, and when it arrived. */
    record Peer(long seenNanos, int connections, boolean ready) {
    }

    private final ConcurrentHashMap<String, Peer> lastSeen = new ConcurrentHashMap<>();
    private final long missingAfterNanos;
    private final long expiryNanos;

    PeerTracker(long missingAfterNanos, long expiryNanos) {
        this.missingAfterNanos = missingAfterNanos;
        this.expiryNanos = expiryNanos;
    }

    /** Records a probe of {@code peer} at {@code now}; true when the peer was not known before. */
    boolean seen(String peer, long now, int connections, boolean ready) {
        return lastSeen.put(peer, new Peer(now, connections, ready)) == null;
    }

    /** Forgets {@code peer} (it said goodbye); true when it was known. */
    boolean left(String peer) {
        return lastSeen.remove(peer) != null;
    }

    /** Peers silent too long at {@code now}: missing ones are kept, expired ones are removed. */
    Check check(long now) {
        List<String> missing = new ArrayList<>();
        List<String> expired = new ArrayList<>();
        for (Map.Entry<String, Peer> e : lastSeen.entrySet()) {
            long silent = now - e.getValue().seenNanos();
            if (silent > expiryNanos) {
                // Only if no probe arrived meanwhile: a concurrent seen() wins.
                if (lastSeen.remove(e.getKey(), e.getValue())) {
                    expired.add(e.getKey());
                }
            } else if (silent > missingAfterNanos) {
                missing.add(e.getKey());
            }
        }
        return new Check(missing, expired);
    }

    /** Each known peer and its latest probe, sorted by peer. */
    Map<String, Peer> peers() {
        return new TreeMap<>(lastSeen);
    }
}
