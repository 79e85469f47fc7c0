package io.switchboard.bench.presence;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The clients of one {@link ClientShare} in this JVM: connects them (a bounded number at a time), releases one
 * virtual thread per client to send its Subscribe with {@code presence=true} at once, and watches until every
 * client's latest count is the full one. A client that no later PresenceEvent reaches is asked once with a
 * PresenceQuery page, once every client here is subscribed and none has had an event for {@link #QUIET}. Every
 * client it opened is aborted by {@link #close()}. Not thread-safe: one thread drives it.
 */
final class ClientGroup implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofMinutes(5);
    private static final int CONNECT_PARALLELISM = 32;
    // Longer than presence.delta-interval (PT0.5S) plus a report interval: no delta is still on its way.
    private static final Duration QUIET = Duration.ofSeconds(2);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final ClientShare share;
    private final TestTokens tokens;
    private final PrintStream log;
    private final List<WsTestClient> clients = new ArrayList<>();
    private final List<PresenceWatcher> watchers = new ArrayList<>();

    ClientGroup(ClientShare share, TestTokens tokens, PrintStream log) {
        this.share = share;
        this.tokens = tokens;
        this.log = log;
    }

    /** Opens and authenticates every client; throws (leaving the opened ones to {@link #close()}) on failure. */
    void connectAll() {
        List<Future<WsTestClient>> pending = new ArrayList<>(share.count());
        try (ExecutorService pool = Executors.newFixedThreadPool(CONNECT_PARALLELISM,
                Thread.ofPlatform().name("presence-connect-", 1).daemon().factory())) {
            for (int i = 0; i < share.count(); i++) {
                PresenceWatcher watcher = new PresenceWatcher(share.expectedUsers());
                watchers.add(watcher);
                int client = share.first() + i;
                pending.add(pool.submit(() -> {
                    WsTestClient c = WsTestClient.connected(share.gatewayOf(client), Subprotocol.PROTO,
                            tokens.token("presence-user-" + client, PresenceJoinSpec.ROOM));
                    c.divert(watcher::onFrame);
                    c.closeFuture().thenAccept(how -> watcher.closed(how.code() + " " + how.reason()));
                    return c;
                }));
            }
            long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
            try {
                for (Future<WsTestClient> f : pending) {
                    clients.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("connecting failed: " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("connecting took longer than " + CONNECT_TIMEOUT, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while connecting", e);
            } finally {
                if (clients.size() != pending.size()) {
                    // Connect no more; clients connected before the failure are still closed by close().
                    pending.forEach(f -> f.cancel(true));
                    clients.clear();
                    for (Future<WsTestClient> f : pending) {
                        if (f.state() == Future.State.SUCCESS) {
                            clients.add(f.resultNow());
                        }
                    }
                }
            }
        }
    }

    /** Sends every Subscribe at once, one virtual thread per client; returns the time of the release. */
    long joinAll() {
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

    /**
     * Waits until every client here is consistent (or has failed) or {@code share.consistencyTimeout()} after
     * {@code t0} passed; returns whether every client is consistent.
     */
    boolean awaitConsistent(long t0) {
        long deadline = t0 + share.consistencyTimeout().toNanos();
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
                return watchers.stream().allMatch(PresenceWatcher::consistent);
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
        return false;
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
        log.printf("  room quiet for %s with %d client(s) of %d..%d not at %d users: asked them with PresenceQuery%n",
                QUIET, n, share.first(), share.first() + share.count() - 1, share.expectedUsers());
    }

    /** The latest consistency time of the consistent clients, {@code t0} if none. */
    long lastConsistentNanos(long t0) {
        return watchers.stream().mapToLong(PresenceWatcher::consistentAtNanos).filter(t -> t != 0).max().orElse(t0);
    }

    /** A snapshot of every client's figures, in client order. */
    List<ClientReport> reports() {
        return watchers.stream().map(PresenceWatcher::report).toList();
    }

    /** Aborts every client, in parallel. */
    @Override
    public void close() {
        try (ExecutorService closer = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("presence-close-", 1).factory())) {
            for (WsTestClient c : clients) {
                closer.execute(c::abort);
            }
        }
        clients.clear();
    }
}
