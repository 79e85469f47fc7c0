package io.switchboard.gateway.routing;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.grpc.ManagedChannel;

/**
 * The routers a gateway knows, one channel and one circuit breaker each, and their ranking for a key.
 * {@link #update} replaces the membership (static configuration once, DNS discovery on every refresh): new
 * routers get a channel, kept routers keep theirs (and their breaker's history), vanished routers are retired,
 * i.e. they take no new call and their channel closes when the calls in flight on it have ended.
 *
 * <p>Thread-safe: readers take an immutable membership snapshot from a volatile field; updates and close are
 * serialized on a lock.
 */
final class RouterPool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RouterPool.class.getName());

    /** An immutable view of the membership; picker is null when no router is known. */
    private record Membership(RendezvousPicker picker, Map<RouterEndpoint, RouterChannel> channels) {
        static final Membership EMPTY = new Membership(null, Map.of());
    }

    private final ChannelFactory channels;
    private final CircuitBreakerConfig breakerConfig;
    private final ScheduledExecutorService deadlines;
    private final boolean streamOnEventLoop;
    private final Object lock = new Object();
    private volatile Membership current = Membership.EMPTY;
    // @GuardedBy("lock"): retired routers whose channels may still carry calls, for close().
    private final List<RouterChannel> retired = new ArrayList<>();
    // @GuardedBy("lock")
    private boolean closed;

    /**
     * @param deadlines         times out the requests of the routers' publish streams
     * @param streamOnEventLoop the publish streams' answers are handled on the channels' event loops
     */
    RouterPool(ChannelFactory channels, BreakerSettings breaker, Clock clock, ScheduledExecutorService deadlines,
               boolean streamOnEventLoop) {
        this.channels = Objects.requireNonNull(channels, "channels");
        this.breakerConfig = breaker.toConfig(clock);
        this.deadlines = Objects.requireNonNull(deadlines, "deadlines");
        this.streamOnEventLoop = streamOnEventLoop;
    }

    /** Makes {@code routers} the membership. Ignored after {@link #close}. */
    void update(Collection<RouterEndpoint> routers) {
        Set<RouterEndpoint> wanted = new LinkedHashSet<>(routers);
        synchronized (lock) {
            if (closed) {
                return;
            }
            Membership old = current;
            if (old.channels.keySet().equals(wanted)) {
                return;
            }
            Map<RouterEndpoint, RouterChannel> next = new LinkedHashMap<>();
            List<RouterEndpoint> added = new ArrayList<>();
            for (RouterEndpoint r : wanted) {
                RouterChannel kept = old.channels.get(r);
                if (kept != null) {
                    next.put(r, kept);
                } else {
                    ManagedChannel channel = channels.open(r);
                    next.put(r, new RouterChannel(r, channel, CircuitBreaker.of("router-" + r, breakerConfig),
                            deadlines, streamOnEventLoop));
                    added.add(r);
                }
            }
            List<RouterEndpoint> removed = new ArrayList<>();
            retired.removeIf(c -> c.channel().isTerminated());
            for (RouterChannel c : old.channels.values()) {
                if (!next.containsKey(c.endpoint())) {
                    c.retire();
                    retired.add(c);
                    removed.add(c.endpoint());
                }
            }
            current = next.isEmpty() ? Membership.EMPTY
                    : new Membership(new RendezvousPicker(List.copyOf(next.keySet())), Map.copyOf(next));
            LOG.info("Routers now " + next.keySet() + (added.isEmpty() ? "" : "; added " + added)
                    + (removed.isEmpty() ? "" : "; retired " + removed + " (closing after their calls in flight)"));
        }
    }

    /** Every known router ordered by preference for {@code key} (owner first); empty when none is known. */
    List<RouterChannel> ranked(String key) {
        Membership m = current;
        if (m.picker == null) {
            return List.of();
        }
        List<RouterEndpoint> order = m.picker.rank(key);
        List<RouterChannel> out = new ArrayList<>(order.size());
        for (RouterEndpoint r : order) {
            out.add(m.channels.get(r));
        }
        return out;
    }

    /** The routers currently known, in no particular order. */
    List<RouterEndpoint> routers() {
        return List.copyOf(current.channels.keySet());
    }

    /** Each known router's breaker state (for metrics). */
    Map<RouterEndpoint, CircuitBreaker.State> breakerStates() {
        Map<RouterEndpoint, CircuitBreaker.State> out = new LinkedHashMap<>();
        current.channels.forEach((r, c) -> out.put(r, c.breaker().getState()));
        return out;
    }

    /** Shuts every channel down, waits up to {@code timeout} for calls in flight, then forces. Idempotent. */
    void close(Duration timeout) {
        List<RouterChannel> all = new ArrayList<>();
        synchronized (lock) {
            closed = true;
            all.addAll(current.channels.values());
            all.addAll(retired);
            current = Membership.EMPTY;
            retired.clear();
        }
        // A channel shuts down once its calls have ended: the publish streams end once the routers answered them.
        all.forEach(c -> c.publishes().close());
        all.forEach(c -> c.channel().shutdown());
        long deadline = System.nanoTime() + timeout.toNanos();
        for (RouterChannel c : all) {
            try {
                if (!c.channel().awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.warning("Router channel " + c + " did not terminate in time; forcing");
                    c.channel().shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.log(Level.WARNING, "Interrupted while closing router channel " + c, e);
                c.channel().shutdownNow();
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
