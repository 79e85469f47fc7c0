package io.switchboard.gateway.probe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.google.protobuf.Timestamp;
import io.switchboard.gateway.fanout.FanoutMessage;
import io.switchboard.gateway.fanout.Subscriber;
import io.switchboard.gateway.fanout.SubscriptionRegistry;
import io.switchboard.gateway.routing.RouterClient;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.Sender;
import io.switchboard.service.Futures;

/**
 * The delivery probe of one gateway. Every {@code interval} it publishes a probe (through a router, like a
 * client's publish) into the next probe room ({@link ProbeRooms}) and, as a local subscriber of every probe room,
 * waits for it to come back through Kafka and the fan-out. A probe back in time is a latency sample; one whose
 * publish failed counts {@code publish_failed}; one not back within {@code timeout} counts {@code lost} (a late
 * arrival is ignored). The probes of other gateways tell which peers exist ({@link PeerTracker}): a peer silent
 * for {@code interval + timeout} counts {@code peer_missing} at each interval until it is heard again or expires.
 * On drain the probe stops and publishes a goodbye so peers forget this gateway at once.
 *
 * <p>Probes are ordinary room messages: the history service stores them like any other (bounded by the
 * retention of namespace {@code switchboard}). Thread-safe: {@link #tick()} runs on the gateway's timer,
 * {@link #deliver} on the fan-out thread, publish answers on gRPC threads.
 */
public final class DeliveryProbe implements Subscriber {
    private static final Logger LOG = Logger.getLogger(DeliveryProbe.class.getName());
    /** The sender user id of every probe (no client can have it: client user ids come from tokens). */
    static final String SENDER = "switchboard-probe";

    /** What a probe says about its sender. Called on the gateway's timer: cheap and thread-safe. */
    public interface Self {
        int connections();

        boolean ready();
    }

    /** The probe's timing. */
    public record Settings(Duration interval, Duration timeout, Duration peerExpiry, Duration publishTimeout) {
        public Settings {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(peerExpiry, "peerExpiry");
            Objects.requireNonNull(publishTimeout, "publishTimeout");
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
            }
        }
    }

    /**
     * What the probe knows now, for the health check and the admin view.
     *
     * @param healthy        false while this gateway's latest resolved probe failed
     * @param sent           probes published (not counting the goodbye)
     * @param arrived        own probes back in time
     * @param failed         own probes lost or not published
     * @param lastLatency    round trip of the latest probe back in time, if any
     * @param peers          each known peer, by gateway id, as its latest probe described it
     */
    public record Status(boolean healthy, long sent, long arrived, long failed, Optional<Duration> lastLatency,
                         Map<String, PeerStatus> peers) {
    }

    /** A peer gateway as its latest probe described it, and how long ago that arrived. */
    public record PeerStatus(Duration silence, int connections, boolean ready) {
    }

    private final String gatewayId;
    private final String run = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final List<String> rooms;
    private final RouterClient router;
    private final ProbeMetrics metrics;
    private final Settings settings;
    private final Self self;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final PeerTracker peers;
    // Own probes published and not resolved yet: sequence number to nanoTime when published.
    private final ConcurrentHashMap<Long, Long> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextSeq = new AtomicLong();
    private final AtomicLong arrived = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile long lastLatencyNanos = -1;
    private volatile boolean healthy = true;
    private volatile boolean leaving;
    private volatile ScheduledFuture<?> task;

    /**
     * @param self what this gateway reports about itself in each probe (connections, readiness)
     */
    public DeliveryProbe(String gatewayId, List<String> rooms, RouterClient router, ProbeMetrics metrics,
                         Settings settings, Self self, Clock clock, LongSupplier nanoTime) {
        if (rooms.isEmpty()) {
            throw new IllegalArgumentException("rooms: [] (expected: at least one)");
        }
        this.gatewayId = Objects.requireNonNull(gatewayId, "gatewayId");
        this.rooms = List.copyOf(rooms);
        this.router = Objects.requireNonNull(router, "router");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.settings = settings;
        this.self = Objects.requireNonNull(self, "self");
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.peers = new PeerTracker(settings.interval().plus(settings.timeout()).toNanos(),
                settings.peerExpiry().toNanos());
        metrics.self(gatewayId);
    }

    /** Subscribes to every probe room and schedules {@link #tick()} every interval on {@code timer}, from now. */
    public void start(SubscriptionRegistry registry, ScheduledExecutorService timer) {
        rooms.forEach(room -> registry.subscribe(room, this));
        task = timer.scheduleWithFixedDelay(this::tickLogged, 0, settings.interval().toNanos(), TimeUnit.NANOSECONDS);
        LOG.info(() -> "delivery probe of " + gatewayId + " every " + settings.interval() + " over " + rooms.size()
                + " rooms");
    }

    private void tickLogged() {
        try {
            tick();
        } catch (RuntimeException e) {
            // An exception would cancel the schedule: the probe must keep running.
            LOG.log(Level.WARNING, "Delivery probe tick failed", e);
        }
    }

    /** One round: resolves own probes that timed out, checks the peers, then publishes the next probe. */
    void tick() {
        if (leaving) {
            return;
        }
        long now = nanoTime.getAsLong();
        long timeout = settings.timeout().toNanos();
        pending.forEach((seq, sent) -> {
            if (now - sent > timeout && pending.remove(seq, sent)) {
                failed(ProbeMetrics.LOST, "probe " + seq + " not back within " + settings.timeout());
            }
        });
        PeerTracker.Check check = peers.check(now);
        for (String peer : check.missing()) {
            metrics.failed(ProbeMetrics.PEER_MISSING, peer);
            LOG.warning(() -> "delivery probe: no probe of peer " + peer + " for more than "
                    + settings.interval().plus(settings.timeout()));
        }
        for (String peer : check.expired()) {
            metrics.peerForgotten(peer);
            LOG.warning(() -> "delivery probe: forgot peer " + peer + ", silent for more than "
                    + settings.peerExpiry());
        }
        long seq = nextSeq.getAndIncrement();
        pending.put(seq, now);
        ProbeMessage probe = new ProbeMessage(gatewayId, run, seq, false, self.connections(), self.ready());
        publish(probe).whenComplete((response, failure) -> {
            if (failure != null && pending.remove(seq) != null) {
                failed(ProbeMetrics.PUBLISH_FAILED, "probe " + seq + " not published: " + failure);
            }
        });
    }

    private CompletableFuture<PublishResponse> publish(ProbeMessage probe) {
        Instant now = clock.instant();
        Envelope envelope = Envelope.newBuilder()
                .setId("probe-" + run + "-" + probe.seq() + (probe.leaving() ? "-bye" : ""))
                .setRoom(rooms.get((int) (probe.seq() % rooms.size())))
                .setSender(Sender.newBuilder().setUserId(SENDER).setGatewayId(gatewayId))
                .setPayload(probe.encode())
                .setContentType(ProbeMessage.CONTENT_TYPE)
                .setReceivedTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .build();
        return Futures.started(() -> router.publish(envelope, settings.publishTimeout()));
    }

    private void failed(String reason, String why) {
        failed.incrementAndGet();
        healthy = false;
        metrics.failed(reason, gatewayId);
        LOG.warning(() -> "delivery probe of " + gatewayId + " failed (" + reason + "): " + why);
    }

    @Override
    public void deliver(FanoutMessage message) {
        Optional<ProbeMessage> parsed = ProbeMessage.parse(message.frame().getMessage().getPayload());
        if (parsed.isEmpty()) {
            return;
        }
        ProbeMessage probe = parsed.get();
        long now = nanoTime.getAsLong();
        if (probe.origin().equals(gatewayId)) {
            Long sent = probe.run().equals(run) ? pending.remove(probe.seq()) : null;
            if (sent != null) {
                long latency = now - sent;
                lastLatencyNanos = latency;
                arrived.incrementAndGet();
                healthy = true;
                metrics.arrived(latency);
            }
            // Otherwise a late arrival (already counted lost) or, with the same id elsewhere, not ours.
        } else if (probe.leaving()) {
            if (peers.left(probe.origin())) {
                metrics.peerForgotten(probe.origin());
                LOG.info(() -> "delivery probe: peer " + probe.origin() + " left");
            }
        } else if (peers.seen(probe.origin(), now, probe.connections(), probe.ready())) {
            metrics.peerDiscovered(probe.origin());
            LOG.info(() -> "delivery probe: discovered peer " + probe.origin());
        }
    }

    /** False while this gateway's latest resolved probe failed (true before the first one resolves). */
    public boolean healthy() {
        return healthy;
    }

    public Status status() {
        long now = nanoTime.getAsLong();
        Map<String, PeerStatus> known = new TreeMap<>();
        peers.peers().forEach((id, p) -> known.put(id, new PeerStatus(Duration.ofNanos(now - p.seenNanos()),
                p.connections(), p.ready())));
        long latency = lastLatencyNanos;
        return new Status(healthy, nextSeq.get(), arrived.get(), failed.get(),
                latency < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(latency)), known);
    }

    /** Stops probing and publishes a goodbye, so peers forget this gateway now (not after the expiry). Idempotent. */
    public void leave() {
        if (leaving) {
            return;
        }
        leaving = true;
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
        pending.clear();
        ProbeMessage goodbye = new ProbeMessage(gatewayId, run, nextSeq.get(), true, self.connections(), false);
        publish(goodbye).whenComplete((r, failure) -> {
            if (failure != null) {
                LOG.fine(() -> "delivery probe goodbye not published: " + failure);
            }
        });
    }

    /** Leaves (if not done yet) and unsubscribes from the probe rooms. */
    public void stop(SubscriptionRegistry registry) {
        leave();
        rooms.forEach(room -> registry.unsubscribe(room, this));
    }
}
