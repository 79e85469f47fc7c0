package io.switchboard.bench.presence;

import com.google.protobuf.Timestamp;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One presence join on a started {@link LocalCluster} with the presence service: connects every client (a
 * bounded number at a time, not measured), then releases one virtual thread per client to send its Subscribe
 * with {@code presence=true} at once, and watches until every client's latest count is the full one. A client
 * that no later PresenceEvent reaches is asked once with a PresenceQuery page, once the room has been quiet
 * for {@link #QUIET}. Every client it opened is closed before {@link #run()} returns or throws. Not
 * thread-safe: one run per instance.
 */
final class PresenceJoinRun {
    private static final int CONNECT_PARALLELISM = 32;
    private static final Duration CONNECT_TIMEOUT = Duration.ofMinutes(5);
    // Longer than presence.delta-interval (PT0.5S) plus a report interval: no delta is still on its way.
    private static final Duration QUIET = Duration.ofSeconds(2);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int KEPT_PROBLEMS = 5;

    private final LocalCluster cluster;
    private final PresenceJoinSpec spec;
    private final TestTokens tokens;
    private final PrintStream log;
    private final List<WsTestClient> clients = new ArrayList<>();
    private final List<PresenceWatcher> watchers = new ArrayList<>();

    PresenceJoinRun(LocalCluster cluster, PresenceJoinSpec spec, TestTokens tokens, PrintStream log) {
        this.cluster = cluster;
        this.spec = spec;
        this.tokens = tokens;
        this.log = log;
    }

    PresenceJoinResult run() {
        try {
            long t = System.nanoTime();
            connectAll();
            double connectMs = millisSince(t);
            System.gc(); // outside the measured window: only to report the live heap with every client connected
            Runtime rt = Runtime.getRuntime();
            long heapMiB = (rt.totalMemory() - rt.freeMemory()) >> 20;
            long fds = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.UnixOperatingSystemMXBean os ? os.getOpenFileDescriptorCount() : -1;
            log.printf(Locale.ROOT, "  %d clients connected in %.1f s; heap in use %d MiB; %d open files; joining%n",
                    spec.clients(), connectMs / 1000, heapMiB, fds);
            long t0 = joinAll();
            long end = awaitConsistent(t0);
            // Late events still count as traffic: keep counting for the settle time.
            LockSupport.parkNanos(spec.settle().toNanos());
            return result(t0, end, connectMs, heapMiB);
        } finally {
            closeAll();
        }
    }

    private void connectAll() {
        List<Future<WsTestClient>> pending = new ArrayList<>(spec.clients());
        try (ExecutorService pool = Executors.newFixedThreadPool(CONNECT_PARALLELISM,
                Thread.ofPlatform().name("presence-connect-", 1).daemon().factory())) {
            for (int i = 0; i < spec.clients(); i++) {
                PresenceWatcher watcher = new PresenceWatcher(spec.clients());
                watchers.add(watcher);
                int client = i;
                pending.add(pool.submit(() -> {
                    WsTestClient c = WsTestClient.connected(cluster.webSocketUri(spec.gatewayOf(client)),
                            Subprotocol.PROTO, tokens.token("presence-user-" + client));
                    c.divert(watcher::onFrame);
                    c.closeFuture().thenAccept(how -> watcher.closed(how.code() + " " + how.reason()));
                    return c;
                }));
            }
            long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
            for (Future<WsTestClient> f : pending) {
                clients.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("connecting failed: " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("connecting took longer than " + CONNECT_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting", e);
        } finally {
            // Clients connected before a failure are still closed by closeAll.
            if (clients.size() != pending.size()) {
                clients.clear();
                for (Future<WsTestClient> f : pending) {
                    if (f.state() == Future.State.SUCCESS) {
                        clients.add(f.resultNow());
                    }
                }
            }
        }
    }

    /** Sends every Subscribe at once, one virtual thread per client; returns the time of the first join. */
    private long joinAll() {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService senders = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("presence-join-", 1).factory())) {
            for (int i = 0; i < clients.size(); i++) {
                WsTestClient c = clients.get(i);
                PresenceWatcher w = watchers.get(i);
                senders.execute(() -> {
                    int id = c.nextRequestId();
                    w.subscribing(id);
                    try {
                        start.await();
                        c.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(id)
                                .setRoom(PresenceJoinSpec.ROOM).setPresence(true)).build());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        w.closed("interrupted before joining");
                    } catch (RuntimeException e) {
                        w.closed("subscribe not sent: " + e);
                    }
                });
            }
            long t0 = System.nanoTime();
            start.countDown();
            return t0;
        }
    }

    /** Returns when every client is consistent or the timeout passed; the time it stopped waiting. */
    private long awaitConsistent(long t0) {
        long deadline = t0 + spec.consistencyTimeout().toNanos();
        boolean queried = false;
        while (System.nanoTime() - deadline < 0) {
            boolean allSubscribed = true;
            boolean allConsistent = true;
            long lastEvent = t0;
            for (PresenceWatcher w : watchers) {
                allSubscribed &= w.subscribed() || w.error() != null;
                allConsistent &= w.consistent() || w.error() != null;
                lastEvent = Math.max(lastEvent, w.lastEventAtNanos());
            }
            if (allConsistent) {
                return System.nanoTime();
            }
            if (!queried && allSubscribed && System.nanoTime() - lastEvent > QUIET.toNanos()) {
                queried = true;
                queryStragglers();
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while waiting for presence");
            }
        }
        return System.nanoTime();
    }

    private void queryStragglers() {
        int n = 0;
        for (int i = 0; i < clients.size(); i++) {
            PresenceWatcher w = watchers.get(i);
            if (!w.consistent() && w.error() == null) {
                WsTestClient c = clients.get(i);
                int id = c.nextRequestId();
                w.querying(id);
                c.send(ClientFrame.newBuilder().setPresence(PresenceQuery.newBuilder().setRequestId(id)
                        .setRoom(PresenceJoinSpec.ROOM).setLimit(1)).build());
                n++;
            }
        }
        log.printf("  room quiet for %s with %d client(s) not at %d users: asked them with PresenceQuery%n", QUIET,
                n, spec.clients());
    }

    private PresenceJoinResult result(long t0, long end, double connectMs, long heapMiB) {
        long lastSubscribed = t0;
        long lastConsistent = t0;
        int byEvent = 0;
        int byPage = 0;
        int inconsistent = 0;
        int errors = 0;
        long framesMax = 0;
        long bytesMax = 0;
        long frames = 0;
        long bytes = 0;
        long summaries = 0;
        List<String> problems = new ArrayList<>();
        for (PresenceWatcher w : watchers) {
            lastSubscribed = Math.max(lastSubscribed, w.subscribedAtNanos());
            if (w.consistent()) {
                lastConsistent = Math.max(lastConsistent, w.consistentAtNanos());
                if (w.viaPage()) {
                    byPage++;
                } else {
                    byEvent++;
                }
            } else {
                inconsistent++;
                if (problems.size() < KEPT_PROBLEMS) {
                    problems.add("latest users " + w.latestUsers() + " (expected " + spec.clients() + ")");
                }
            }
            if (w.error() != null) {
                errors++;
                if (problems.size() < KEPT_PROBLEMS) {
                    problems.add(w.error());
                }
            }
            frames += w.frames();
            bytes += w.bytes();
            summaries += w.summaries();
            framesMax = Math.max(framesMax, w.frames());
            bytesMax = Math.max(bytesMax, w.bytes());
        }
        int n = watchers.size();
        return new PresenceJoinResult(spec.clients(), spec.gateways(), connectMs, heapMiB,
                (lastSubscribed - t0) / 1e6, inconsistent == 0 ? (lastConsistent - t0) / 1e6 : Double.NaN,
                byEvent, byPage, inconsistent, (double) frames / n, framesMax, (double) bytes / n, bytesMax, frames,
                summaries, naiveEventBytes(spec.clients()), errors, problems);
    }

    /** One join as a naive design would announce it: the joined member, the counts and a timestamp. */
    static int naiveEventBytes(int clients) {
        return ServerFrame.newBuilder().setPresence(PresenceEvent.newBuilder().setRoom(PresenceJoinSpec.ROOM)
                .addJoined(Member.newBuilder().setUserId("presence-user-" + (clients - 1))
                        .setStatus(PresenceStatus.ONLINE).setDevices(1))
                .setUsers(clients).setConnections(clients).setJoinedTotal(1)
                .setTimestamp(Timestamp.newBuilder().setSeconds(1_800_000_000L).setNanos(123_456_789))).build()
                .getSerializedSize();
    }

    private void closeAll() {
        try (ExecutorService closer = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("presence-close-", 1).factory())) {
            for (WsTestClient c : clients) {
                closer.execute(c::abort);
            }
        }
        clients.clear();
    }

    private static double millisSince(long t) {
        return (System.nanoTime() - t) / 1e6;
    }
}
