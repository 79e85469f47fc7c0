package io.switchboard.gateway.presence;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.protobuf.Message;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.proto.internal.v1.ConnectionState;
import io.switchboard.proto.internal.v1.PresenceChange;
import io.switchboard.proto.internal.v1.PresenceServiceGrpc;
import io.switchboard.proto.internal.v1.ReportRequest;
import io.switchboard.proto.internal.v1.ReportResponse;
import io.switchboard.proto.internal.v1.SyncRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The reporter against an in-process fake PresenceService that applies what it gets, like the real one. */
class PresenceReporterTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Keeps the calls and the membership they add up to; can ask for a resync or fail on demand. */
    static final class FakePresence extends PresenceServiceGrpc.PresenceServiceImplBase {
        final List<Message> calls = new CopyOnWriteArrayList<>();
        final AtomicInteger resyncNext = new AtomicInteger();
        final AtomicInteger failNext = new AtomicInteger();
        volatile int leaseMs = 5000;
        // Applied state: session -> rooms (guarded by this).
        final Map<String, Set<String>> state = new HashMap<>();
        long lastSeq = -1;
        boolean gap;

        @Override
        public synchronized void report(ReportRequest r, StreamObserver<ReportResponse> out) {
            calls.add(r);
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                out.onError(Status.UNAVAILABLE.withDescription("fake: down").asRuntimeException());
                return;
            }
            boolean resync = resyncNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || r.getSeq() != lastSeq + 1;
            if (r.getSeq() != lastSeq + 1) {
                gap = true;
            }
            if (!resync) {
                lastSeq = r.getSeq();
                r.getChangesList().forEach(this::apply);
            } else {
                lastSeq = -1; // unknown until the Sync
            }
            out.onNext(ReportResponse.newBuilder().setResyncRequired(resync).setLeaseMs(leaseMs).build());
            out.onCompleted();
        }

        @Override
        public synchronized void sync(SyncRequest r, StreamObserver<ReportResponse> out) {
            calls.add(r);
            state.clear();
            for (ConnectionState c : r.getConnectionsList()) {
                state.put(c.getSessionId(), new HashSet<>(c.getRoomsList()));
            }
            lastSeq = r.getSeq();
            gap = false;
            out.onNext(ReportResponse.newBuilder().setLeaseMs(leaseMs).build());
            out.onCompleted();
        }

        private void apply(PresenceChange c) {
            switch (c.getChangeCase()) {
                case OPENED -> state.put(c.getOpened().getSessionId(), new HashSet<>());
                case CLOSED -> state.remove(c.getClosed().getSessionId());
                case JOINED -> state.get(c.getJoined().getSessionId()).add(c.getJoined().getRoom());
                case LEFT -> state.get(c.getLeft().getSessionId()).remove(c.getLeft().getRoom());
                default -> { }
            }
        }

        synchronized Map<String, Set<String>> snapshot() {
            Map<String, Set<String>> copy = new HashMap<>();
            state.forEach((k, v) -> copy.put(k, new HashSet<>(v)));
            return copy;
        }

        List<ReportRequest> reports() {
            return calls.stream().filter(ReportRequest.class::isInstance).map(ReportRequest.class::cast).toList();
        }

        List<SyncRequest> syncs() {
            return calls.stream().filter(SyncRequest.class::isInstance).map(SyncRequest.class::cast).toList();
        }
    }

    private final FakePresence fake = new FakePresence();
    private Server server;
    private ManagedChannel channel;
    private PresenceReporter reporter;

    private PresenceReporter start(Duration interval) throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(fake).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        reporter = new PresenceReporter(new PresenceReporter.Settings("gw-1", interval, 2000, Duration.ofSeconds(5),
                500, Duration.ofSeconds(5)), channel, new PrometheusRegistry());
        reporter.start();
        await().atMost(WAIT).until(() -> !fake.syncs().isEmpty());
        return reporter;
    }

    @AfterEach
    void tearDown() {
        if (reporter != null) {
            reporter.stop(Duration.ofSeconds(5));
        }
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.shutdownNow();
        }
    }

    @Test
    void startsWithASyncThenBatchesChangesWithConsecutiveSeqs() throws Exception {
        start(Duration.ofMillis(50));
        long syncSeq = fake.syncs().getFirst().getSeq();
        assertThat(fake.syncs().getFirst().getIncarnation()).isEqualTo(reporter.incarnation());
        for (int i = 0; i < 1200; i++) {
            reporter.opened("s" + i, "u" + i, "test", Instant.EPOCH);
        }
        await().atMost(WAIT).until(() -> fake.snapshot().size() == 1200);
        List<ReportRequest> reports = fake.reports();
        assertThat(reports).allSatisfy(r -> assertThat(r.getChangesCount()).isLessThanOrEqualTo(500));
        for (int i = 0; i < reports.size(); i++) {
            assertThat(reports.get(i).getSeq()).isEqualTo(syncSeq + 1 + i);
        }
        assertThat(fake.syncs()).hasSize(1);
    }

    @Test
    void sendsEmptyReportsAsHeartbeatsWithinAThirdOfTheLease() throws Exception {
        fake.leaseMs = 150;
        start(Duration.ofSeconds(30)); // never flushes for the interval: only heartbeats can arrive
        await().atMost(WAIT).until(() -> fake.reports().stream().filter(r -> r.getChangesCount() == 0).count() >= 3);
    }

    @Test
    void resyncRequiredAndFailuresAreRepairedWithAFullSync() throws Exception {
        start(Duration.ofMillis(20));
        reporter.opened("a", "alice", "test", Instant.EPOCH);
        reporter.joined("a", "r1");
        await().atMost(WAIT).until(() -> Set.of("r1").equals(fake.snapshot().get("a")));

        fake.resyncNext.set(1);
        reporter.joined("a", "r2");
        await().atMost(WAIT).until(() -> fake.syncs().size() == 2);
        assertThat(fake.syncs().get(1).getConnectionsList()).singleElement()
                .satisfies(c -> assertThat(c.getRoomsList()).containsExactlyInAnyOrder("r1", "r2"));

        fake.failNext.set(1);
        reporter.left("a", "r1");
        await().atMost(WAIT).until(() -> fake.syncs().size() == 3);
        await().atMost(WAIT).until(() -> Set.of("r2").equals(fake.snapshot().get("a")));
        reporter.joined("a", "r3");
        await().atMost(WAIT).until(() -> Set.of("r2", "r3").equals(fake.snapshot().get("a")));
        long lastSync = fake.syncs().getLast().getSeq();
        assertThat(fake.reports().getLast().getSeq()).isGreaterThan(lastSync);
    }

    @Test
    void snapshotsStayConsistentWithChangesQueuedWhileTheyAreTaken() throws Exception {
        start(Duration.ofMillis(5));
        int sessions = 8;
        List<Thread> threads = new ArrayList<>();
        Map<String, Set<String>> expected = new HashMap<>();
        for (int t = 0; t < sessions; t++) {
            String session = "s" + t;
            Set<String> mine = new HashSet<>();
            expected.put(session, mine);
            threads.add(Thread.ofPlatform().name("churn-" + t).start(() -> {
                reporter.opened(session, "u-" + session, "test", Instant.EPOCH);
                for (int i = 0; i < 3000; i++) {
                    String room = "r" + (i % 7);
                    if (mine.contains(room)) {
                        mine.remove(room);
                        reporter.left(session, room);
                    } else {
                        mine.add(room);
                        reporter.joined(session, room);
                    }
                    if (i % 500 == 0) {
                        fake.resyncNext.incrementAndGet(); // Syncs interleave with the churn
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join(WAIT.toMillis());
        }
        assertThat(threads).noneMatch(Thread::isAlive);
        await().atMost(WAIT).until(() -> fake.snapshot().equals(expected) && reporter.pendingChanges() == 0);
        assertThat(fake.syncs().size()).isGreaterThan(1);
        assertThat(fake.snapshot()).isEqualTo(expected);
    }
}
