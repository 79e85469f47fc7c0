package io.switchboard.gateway.presence;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.google.protobuf.Timestamp;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.internal.v1.ConnectionClosed;
import io.switchboard.proto.internal.v1.ConnectionOpened;
import io.switchboard.proto.internal.v1.ConnectionState;
import io.switchboard.proto.internal.v1.PresenceChange;
import io.switchboard.proto.internal.v1.PresenceServiceGrpc;
import io.switchboard.proto.internal.v1.ReportRequest;
import io.switchboard.proto.internal.v1.ReportResponse;
import io.switchboard.proto.internal.v1.RoomJoined;
import io.switchboard.proto.internal.v1.RoomLeft;
import io.switchboard.proto.internal.v1.StatusSet;
import io.switchboard.proto.internal.v1.SyncRequest;

/**
 * Reports this gateway's presence changes to the presence service: batches them into Reports every
 * {@code report-interval} (sooner when a batch is full), numbers them 1, 2, 3... per incarnation (a random UUID per
 * start), sends an empty Report as a heartbeat at least every third of the lease the service last granted, and
 * sends a full Sync first, after {@code resync_required}, after a failed call (its outcome is unknown, so a retry
 * with the same seq could be a gap or a repeat) and after the bounded queue overflowed.
 *
 * <p>The Sync snapshot is the reporter's own mirror of every open connection (user, client, rooms, status), kept
 * from the very calls that queue the changes and updated under the same lock. A snapshot and its seq are therefore
 * exactly "everything queued before", and every change queued after it follows in the next Reports: the service
 * never sees a change twice or misses one. (Reading the sessions' own room sets instead could not be atomic with
 * their updates without taking a gateway-wide lock on every subscribe.)
 *
 * <p>Threads: producers (any session thread) only take {@code lock} briefly; all gRPC calls run blocking, with the
 * configured deadline, on one named scheduler thread and never under the lock. Thread-safe.
 *
 * <p>Size: the mirror, the queue of changes and the sequence numbers stay in one class because they change under
 * one lock; that is what makes a Sync exactly "everything queued before".
 */
public final class PresenceReporter implements PresenceChanges, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PresenceReporter.class.getName());

    /**
     * @param gatewayId      this gateway's id
     * @param reportInterval how often queued changes are sent
     * @param maxPending     changes queued at most; more: the queue is dropped and a Sync follows
     * @param timeout        deadline of each Report or Sync
     * @param batchSize      changes per Report; a full batch is sent at once
     * @param defaultLease   lease assumed until the service names one
     */
    public record Settings(String gatewayId, Duration reportInterval, int maxPending, Duration timeout, int batchSize,
                           Duration defaultLease) {
        public Settings {
            Objects.requireNonNull(gatewayId, "gatewayId");
            positive("reportInterval", reportInterval);
            positive("timeout", timeout);
            positive("defaultLease", defaultLease);
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize: " + batchSize + " (expected: >= 1)");
            }
            if (maxPending < batchSize) {
                throw new IllegalArgumentException("maxPending: " + maxPending + " (expected: >= batchSize " + batchSize + ")");
            }
        }

        /** The defaults: batches of 500, a 5 s lease until the service says otherwise. */
        public static Settings of(String gatewayId, Duration reportInterval, int maxPending, Duration timeout) {
            return new Settings(gatewayId, reportInterval, maxPending, timeout, 500, Duration.ofSeconds(5));
        }

        private static void positive(String name, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
            }
        }
    }

    /** One open connection as the presence service should know it. */
    private static final class Conn {
        final String userId;
        final String client;
        final Timestamp openedTime;
        final Set<String> rooms = new LinkedHashSet<>();
        PresenceStatus status = PresenceStatus.ONLINE;
        String statusText = "";

        Conn(String userId, String client, Timestamp openedTime) {
            this.userId = userId;
            this.client = client;
            this.openedTime = openedTime;
        }
    }

    private final Settings settings;
    private final String incarnation = UUID.randomUUID().toString();
    private final PresenceServiceGrpc.PresenceServiceBlockingStub stub;
    private final PresenceMetrics metrics;
    private final boolean ownsMetrics;
    private final AtomicInteger queued = new AtomicInteger();
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean flushQueued = new AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock();
    // @GuardedBy("lock")
    private final ArrayDeque<PresenceChange> pending = new ArrayDeque<>();
    // @GuardedBy("lock"): session id -> what presence knows (or will know once the queue is sent)
    private final Map<String, Conn> connections = new HashMap<>();
    // @GuardedBy("lock"): the seq of the last Report or Sync taken from the queue
    private long lastSeq;
    // @GuardedBy("lock"): the next call must be a Sync; while set, changes only update the mirror
    private boolean syncNeeded = true;
    // Scheduler thread only.
    private long lastSentNanos = System.nanoTime();
    // Written by the scheduler thread, read when scheduling.
    private volatile Duration lease;

    /**
     * @param channel  a channel to the presence service (not closed by the reporter)
     * @param registry where the reporter's metrics go
     */
    public PresenceReporter(Settings settings, Channel channel, PrometheusRegistry registry) {
        this(settings, channel, new PresenceMetrics(registry), true);
    }

    /**
     * A reporter to one of several presence instances ({@link PresenceReporters}), counting into shared metrics.
     *
     * @param ownsMetrics whether {@link #stop} unregisters the metrics
     */
    PresenceReporter(Settings settings, Channel channel, PresenceMetrics metrics, boolean ownsMetrics) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.stub = PresenceServiceGrpc.newBlockingStub(channel);
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.ownsMetrics = ownsMetrics;
        this.lease = settings.defaultLease();
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "switchboard-presence-reporter");
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((th, e) -> LOG.log(Level.SEVERE, "Presence reporter thread died", e));
            return t;
        });
        s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.scheduler = s;
    }

    /** This start's incarnation id. */
    public String incarnation() {
        return incarnation;
    }

    /** Starts reporting (a Sync first). Fails when called twice. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("Already started");
        }
        scheduler.execute(this::tick);
    }

    /**
     * Sends what is queued one last time (e.g. the closes of a drain), then stops the scheduler thread; waits at
     * most {@code timeout}. Idempotent.
     */
    public void stop(Duration timeout) {
        try {
            scheduler.execute(this::flushSafely);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.FINE, "Presence reporter already stopped", e);
        }
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            scheduler.shutdownNow();
        }
        if (ownsMetrics) {
            metrics.close();
        }
    }

    @Override
    public void close() {
        stop(settings.timeout());
    }

    @Override
    public void opened(String sessionId, String userId, String client, Instant openedTime) {
        Timestamp t = Timestamp.newBuilder().setSeconds(openedTime.getEpochSecond()).setNanos(openedTime.getNano()).build();
        lock.lock();
        try {
            if (connections.putIfAbsent(sessionId, new Conn(userId, client, t)) != null) {
                return;
            }
            queueLocked(PresenceChange.newBuilder().setOpened(ConnectionOpened.newBuilder()
                    .setSessionId(sessionId).setUserId(userId).setClient(client).setOpenedTime(t)).build());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void closed(String sessionId) {
        lock.lock();
        try {
            if (connections.remove(sessionId) == null) {
                return;
            }
            queueLocked(PresenceChange.newBuilder().setClosed(ConnectionClosed.newBuilder().setSessionId(sessionId))
                    .build());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void joined(String sessionId, String room) {
        lock.lock();
        try {
            Conn c = connections.get(sessionId);
            if (c == null || !c.rooms.add(room)) {
                return;
            }
            queueLocked(PresenceChange.newBuilder().setJoined(RoomJoined.newBuilder()
                    .setSessionId(sessionId).setRoom(room)).build());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void left(String sessionId, String room) {
        lock.lock();
        try {
            Conn c = connections.get(sessionId);
            if (c == null || !c.rooms.remove(room)) {
                return;
            }
            queueLocked(PresenceChange.newBuilder().setLeft(RoomLeft.newBuilder()
                    .setSessionId(sessionId).setRoom(room)).build());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void status(String sessionId, PresenceStatus status, String text) {
        lock.lock();
        try {
            Conn c = connections.get(sessionId);
            if (c == null) {
                return;
            }
            c.status = status;
            c.statusText = text;
            queueLocked(PresenceChange.newBuilder().setStatus(StatusSet.newBuilder()
                    .setSessionId(sessionId).setStatus(status).setText(text)).build());
        } finally {
            lock.unlock();
        }
    }

    // @GuardedBy("lock")
    private void queueLocked(PresenceChange change) {
        if (syncNeeded) {
            return; // the coming Sync's snapshot carries it
        }
        if (pending.size() >= settings.maxPending()) {
            LOG.warning("Presence queue overflowed (" + pending.size() + " changes); a full Sync follows");
            pending.clear();
            syncNeeded = true;
            metrics.resync("overflow");
            metrics.queueSize(queued, 0);
            return;
        }
        pending.addLast(change);
        metrics.queueSize(queued, pending.size());
        if (pending.size() >= settings.batchSize() && flushQueued.compareAndSet(false, true)) {
            try {
                scheduler.execute(this::flushSafely);
            } catch (RejectedExecutionException e) {
                LOG.log(Level.FINE, "Presence reporter stopped; a full batch stays queued", e);
            }
        }
    }

    private void tick() {
        flushSafely();
        Duration next = settings.reportInterval();
        Duration third = lease.dividedBy(3);
        if (third.compareTo(next) < 0) {
            next = third;
        }
        try {
            scheduler.schedule(this::tick, Math.max(1, next.toNanos()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.FINE, "Presence reporter stopped", e);
        }
    }

    private void flushSafely() {
        flushQueued.set(false);
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Presence report failed unexpectedly; a full Sync follows", e);
            lock.lock();
            try {
                syncNeeded = true;
                pending.clear();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Scheduler thread only: sends the Sync if one is due, then full batches, then the rest or a heartbeat. */
    private void flush() {
        while (true) {
            SyncRequest sync = null;
            ReportRequest report = null;
            lock.lock();
            try {
                if (syncNeeded) {
                    sync = snapshotLocked();
                } else {
                    boolean heartbeatDue = System.nanoTime() - lastSentNanos >= lease.dividedBy(3).toNanos();
                    if (pending.isEmpty() && !heartbeatDue) {
                        return;
                    }
                    ReportRequest.Builder b = ReportRequest.newBuilder()
                            .setGatewayId(settings.gatewayId())
                            .setIncarnation(incarnation)
                            .setSeq(++lastSeq);
                    for (int i = 0; i < settings.batchSize() && !pending.isEmpty(); i++) {
                        b.addChanges(pending.pollFirst());
                    }
                    metrics.queueSize(queued, pending.size());
                    report = b.build();
                }
            } finally {
                lock.unlock();
            }
            boolean ok = sync != null ? send(sync) : send(report);
            if (!ok) {
                return; // the next tick sends the Sync
            }
            lock.lock();
            try {
                if (!syncNeeded && pending.size() < settings.batchSize()) {
                    return; // the rest waits for the next tick
                }
            } finally {
                lock.unlock();
            }
        }
    }

    // @GuardedBy("lock")
    private SyncRequest snapshotLocked() {
        SyncRequest.Builder b = SyncRequest.newBuilder()
                .setGatewayId(settings.gatewayId())
                .setIncarnation(incarnation)
                .setSeq(++lastSeq);
        for (Map.Entry<String, Conn> e : connections.entrySet()) {
            Conn c = e.getValue();
            b.addConnections(ConnectionState.newBuilder()
                    .setSessionId(e.getKey())
                    .setUserId(c.userId)
                    .setClient(c.client)
                    .setOpenedTime(c.openedTime)
                    .addAllRooms(c.rooms)
                    .setStatus(c.status)
                    .setStatusText(c.statusText));
        }
        // Everything queued so far is in the snapshot; what is queued from now on follows it.
        pending.clear();
        syncNeeded = false;
        metrics.queueSize(queued, 0);
        return b.build();
    }

    private boolean send(SyncRequest sync) {
        try {
            ReportResponse r = stub.withDeadlineAfter(settings.timeout().toNanos(), TimeUnit.NANOSECONDS).sync(sync);
            metrics.report("sync");
            return answered(r);
        } catch (StatusRuntimeException e) {
            return failed("Sync seq " + sync.getSeq(), e);
        }
    }

    private boolean send(ReportRequest report) {
        try {
            ReportResponse r = stub.withDeadlineAfter(settings.timeout().toNanos(), TimeUnit.NANOSECONDS)
                    .report(report);
            metrics.report(report.getChangesCount() == 0 ? "heartbeat" : "report");
            return answered(r);
        } catch (StatusRuntimeException e) {
            return failed("Report seq " + report.getSeq(), e);
        }
    }

    private boolean answered(ReportResponse r) {
        lastSentNanos = System.nanoTime();
        if (r.getLeaseMs() > 0) {
            lease = Duration.ofMillis(r.getLeaseMs());
        }
        if (r.getResyncRequired()) {
            LOG.info("Presence service asked gateway " + settings.gatewayId() + " for a full Sync");
            metrics.resync("requested");
            requireSync();
        }
        return true;
    }

    private boolean failed(String what, StatusRuntimeException e) {
        metrics.failure();
        metrics.resync("failure");
        LOG.log(Level.WARNING, "Presence " + what + " failed (" + e.getStatus().getCode() + "); a full Sync follows",
                LOG.isLoggable(Level.FINE) ? e : null);
        requireSync();
        return false;
    }

    private void requireSync() {
        lock.lock();
        try {
            syncNeeded = true;
            pending.clear();
            metrics.queueSize(queued, 0);
        } finally {
            lock.unlock();
        }
    }

    /** Changes waiting to be sent (for tests and logs). */
    int pendingChanges() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    /** The rooms presence is told {@code sessionId} is in (for tests). */
    List<String> roomsOf(String sessionId) {
        lock.lock();
        try {
            Conn c = connections.get(sessionId);
            return c == null ? List.of() : new ArrayList<>(c.rooms);
        } finally {
            lock.unlock();
        }
    }
}
