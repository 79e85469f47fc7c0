package io.switchboard.gateway.limits;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway-wide and per-client-address connection caps, checked when an upgrade request arrives (before it is
 * upgraded). Each admitted connection holds one {@link Lease} until its TCP connection ends; a connection that asks
 * again (an upgrade refused by a later check, then another request on the same keep-alive connection) keeps the
 * lease it has. Counting happens at admission, so concurrent upgrades cannot overshoot a cap.
 *
 * <p>Thread-safe: the total is an atomic counter; each address's count changes under the map's per-key
 * {@code compute}, and an address leaves the map when its count drops to zero (the map's size is bounded by the
 * connections held).
 */
public final class ConnectionCaps {
    /** The outcome of {@link #tryAdmit}: a {@link Lease}, or the cap that refused. */
    public sealed interface Outcome permits Lease, Refused {
    }

    /** Which cap refused a connection. */
    public enum Refused implements Outcome { GATEWAY_FULL, ADDRESS_FULL }

    private final int maxConnections;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

    /**
     * @param maxConnections connections the gateway holds at most
     * @param maxPerAddress  connections one client address holds at most; 0 for no limit
     */
    public ConnectionCaps(int maxConnections, int maxPerAddress) {
        if (maxConnections < 1 || maxPerAddress < 0) {
            throw new IllegalArgumentException("caps: " + maxConnections + ", " + maxPerAddress
                    + " (expected: >= 1, >= 0)");
        }
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
    }

    /** One admitted connection's place under the caps; {@link #release()} gives it back (idempotent). */
    public final class Lease implements Outcome {
        private final InetAddress address;
        private final AtomicInteger released = new AtomicInteger();

        private Lease(InetAddress address) {
            this.address = address;
        }

        public void release() {
            if (released.getAndIncrement() == 0) {
                total.decrementAndGet();
                if (maxPerAddress > 0) {
                    perAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
                }
            }
        }
    }

    /**
     * Takes a place for a connection of {@code client}.
     *
     * @return the lease, or the cap that refused it (nothing taken)
     */
    public Outcome tryAdmit(InetAddress client) {
        if (total.incrementAndGet() > maxConnections) {
            total.decrementAndGet();
            return Refused.GATEWAY_FULL;
        }
        if (maxPerAddress > 0) {
            boolean[] admitted = {false};
            perAddress.compute(client, (a, n) -> {
                int now = n == null ? 0 : n;
                if (now >= maxPerAddress) {
                    return n;
                }
                admitted[0] = true;
                return now + 1;
            });
            if (!admitted[0]) {
                total.decrementAndGet();
                return Refused.ADDRESS_FULL;
            }
        }
        return new Lease(client);
    }

    /** Connections admitted and not yet released. */
    public int connections() {
        return total.get();
    }

    /** Connections admitted for {@code client} (0 when the per-address cap is off). */
    public int connections(InetAddress client) {
        return perAddress.getOrDefault(client, 0);
    }
}
