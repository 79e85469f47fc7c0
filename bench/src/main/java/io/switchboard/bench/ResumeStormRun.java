package io.switchboard.bench;

import com.google.protobuf.ByteString;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.HistoryDirection;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/**
 * One resume storm on a started {@link LocalCluster} with history: subscribes every client (a bounded number
 * at a time), drops every connection, publishes the missed messages with acks, waits until history stored them,
 * then releases every client at once to reconnect and resume, and measures until each is live. Store reads are
 * the growth of the gateways' and the history service's read counters over the storm. Every client it opened is
 * closed before {@link #run()} returns or throws. Not thread-safe: one run per instance.
 */
final class ResumeStormRun {
    private static final int CONNECT_PARALLELISM = 32;
    // The gateway allows 64 publishes in flight per connection; stay well below.
    private static final int PUBLISH_WINDOW = 32;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int KEPT_PROBLEMS = 5;

    /** What a client remembered from its first subscription. */
    private record Remembered(int client, long nextPosition, String epoch) {
    }

    private final String target;
    private final LocalCluster cluster;
    private final ResumeStormSpec spec;
    private final TestTokens tokens;
    private final PrintStream log;
    private final PrometheusScrape scrape = new PrometheusScrape();
    private final Queue<WsTestClient> opened = new ConcurrentLinkedQueue<>();

    ResumeStormRun(String target, LocalCluster cluster, ResumeStormSpec spec, TestTokens tokens, PrintStream log) {
        this.target = target;
        this.cluster = cluster;
        this.spec = spec;
        this.tokens = tokens;
        this.log = log;
    }

    /** Runs the storm and returns its figures. */
    ResumeStormResult run() {
        try {
            long t = System.nanoTime();
            List<Remembered> remembered = subscribeAll();
            log.printf("  %s: %d clients subscribed in %.1f s%n", target, remembered.size(), seconds(t));
            dropAll();
            t = System.nanoTime();
            long last = publishMissed();
            awaitStored(last);
            log.printf("  %s: %d messages published and stored in %.1f s; storm starts%n", target, spec.missed(),
                    seconds(t));
            long resumeBefore = resumeReads();
            long storeBefore = storeReads();
            List<StormClient> clients = storm(remembered);
            return result(clients, resumeReads() - resumeBefore, storeReads() - storeBefore);
        } finally {
            closeAll();
        }
    }

    private List<Remembered> subscribeAll() {
        List<Future<Remembered>> pending = new ArrayList<>(spec.clients());
        try (ExecutorService pool = Executors.newFixedThreadPool(CONNECT_PARALLELISM,
                Thread.ofPlatform().name("storm-connect-", 1).daemon().factory())) {
            for (int i = 0; i < spec.clients(); i++) {
                int client = i;
                pending.add(pool.submit(() -> {
                    WsTestClient c = open(spec.gatewayOf(client), "storm-" + client);
                    Subscribed s = c.subscribeAndWait(ResumeStormSpec.ROOM, REQUEST_TIMEOUT).getSubscribed();
                    return new Remembered(client, s.getNextPosition(), s.getEpoch());
                }));
            }
            List<Remembered> out = new ArrayList<>(pending.size());
            for (Future<Remembered> f : pending) {
                out.add(f.get());
            }
            return out;
        } catch (ExecutionException e) {
            throw new IllegalStateException("subscribing failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while subscribing", e);
        }
    }

    // A lost network, not a goodbye; then wait until every gateway has noticed, so nothing is still delivered to
    // a half-dead connection while the missed messages are published.
    private void dropAll() {
        opened.forEach(WsTestClient::abort);
        opened.clear();
        awaitTrue(() -> sumOverGateways("gateway_connections", "") == 0, "gateways to notice the dropped clients");
    }

    private long publishMissed() {
        Semaphore window = new Semaphore(PUBLISH_WINDOW);
        AtomicLong last = new AtomicLong(-1);
        Queue<String> errors = new ConcurrentLinkedQueue<>();
        WsTestClient publisher = open(0, "storm-publisher");
        publisher.divert(frame -> {
            if (frame.hasAck()) {
                last.accumulateAndGet(frame.getAck().getPosition(), Math::max);
                window.release();
            } else if (frame.hasError()) {
                errors.add(frame.getError().toString());
                window.release();
            }
        });
        ByteString payload = ByteString.copyFrom(new byte[64]);
        for (int i = 0; i < spec.missed(); i++) {
            acquire(window, 1);
            publisher.send(ClientFrame.newBuilder().setPublish(Publish.newBuilder()
                    .setRequestId(publisher.nextRequestId()).setRoom(ResumeStormSpec.ROOM).setId("storm-" + i)
                    .setPayload(payload).setContentType("application/octet-stream").setAck(true)).build());
        }
        acquire(window, PUBLISH_WINDOW);
        publisher.close();
        if (!errors.isEmpty()) {
            throw new IllegalStateException(errors.size() + " publishes failed, first: " + errors.peek());
        }
        return last.get();
    }

    // History ingests from Kafka on its own: ask it (through a gateway, as a client would) for the newest message.
    private void awaitStored(long lastPosition) {
        WsTestClient probe = open(0, "storm-probe");
        try {
            awaitTrue(() -> {
                int id = probe.nextRequestId();
                probe.send(ClientFrame.newBuilder().setHistory(HistoryRequest.newBuilder().setRequestId(id)
                        .setRoom(ResumeStormSpec.ROOM).setDirection(HistoryDirection.LATEST).setLimit(1)).build());
                ServerFrame reply = probe.nextMatching(f -> (f.hasHistoryPage() && f.getHistoryPage().getRequestId() == id)
                        || (f.hasError() && f.getError().getRequestId() == id), REQUEST_TIMEOUT);
                return reply.hasHistoryPage() && reply.getHistoryPage().getMessagesCount() == 1
                        && reply.getHistoryPage().getMessages(0).getPosition() >= lastPosition;
            }, "history to store position " + lastPosition);
        } finally {
            probe.close();
        }
    }

    private List<StormClient> storm(List<Remembered> remembered) {
        CountDownLatch start = new CountDownLatch(1);
        List<StormClient> clients = new ArrayList<>(remembered.size());
        List<Thread> threads = new ArrayList<>(remembered.size());
        for (Remembered r : remembered) {
            StormClient client = new StormClient(spec.missed());
            clients.add(client);
            threads.add(Thread.ofVirtual().name("storm-client-" + r.client()).start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    client.fail(StormClient.Kind.ERROR, "interrupted before reconnecting");
                    return;
                }
                reconnect(client, r);
            }));
        }
        long t0 = System.nanoTime();
        clients.forEach(c -> c.started(t0));
        start.countDown();
        long deadline = t0 + spec.liveTimeout().toNanos();
        for (StormClient client : clients) {
            try {
                client.outcome().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                client.fail(StormClient.Kind.TIMED_OUT, "not live within " + spec.liveTimeout());
            } catch (ExecutionException e) {
                throw new IllegalStateException("a storm client failed unexpectedly", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                threads.forEach(Thread::interrupt);
                throw new IllegalStateException("interrupted during the storm", e);
            }
        }
        for (Thread thread : threads) {
            try {
                if (!thread.join(REQUEST_TIMEOUT)) {
                    thread.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                threads.forEach(Thread::interrupt);
                throw new IllegalStateException("interrupted while ending the storm", e);
            }
        }
        return clients;
    }

    private void reconnect(StormClient client, Remembered r) {
        try {
            WsTestClient c = open(spec.gatewayOf(r.client()), "storm-" + r.client());
            c.closeFuture().thenAccept(how -> client.fail(StormClient.Kind.CLOSED, "closed: " + how));
            int id = c.nextRequestId();
            client.subscribing(id);
            c.divert(client::onFrame);
            c.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(id)
                    .setRoom(ResumeStormSpec.ROOM).setResumeFrom(ResumeFrom.newBuilder()
                            .setNextPosition(r.nextPosition()).setEpoch(r.epoch()))).build());
        } catch (RuntimeException e) {
            client.fail(StormClient.Kind.ERROR, "reconnect failed: " + e);
        }
    }

    private ResumeStormResult result(List<StormClient> clients, long resumeReads, long storeReads) {
        Histogram micros = new Histogram(3);
        int live = 0;
        int recovered = 0;
        int errors = 0;
        int notRecovered = 0;
        int closes = 0;
        int timedOut = 0;
        List<String> problems = new ArrayList<>();
        for (StormClient c : clients) {
            StormClient.Outcome o = c.outcome().join();
            if (c.recovered()) {
                recovered++;
            }
            switch (o.kind()) {
                case LIVE -> {
                    live++;
                    micros.recordValue(TimeUnit.NANOSECONDS.toMicros(o.nanos()));
                }
                case ERROR -> errors++;
                case NOT_RECOVERED -> notRecovered++;
                case CLOSED -> closes++;
                case TIMED_OUT -> timedOut++;
            }
            if (o.kind() != StormClient.Kind.LIVE && problems.size() < KEPT_PROBLEMS) {
                problems.add(o.detail());
            }
        }
        return new ResumeStormResult(target, spec.clients(), spec.missed(), live, millis(micros.getMaxValue()),
                millis(micros.getValueAtPercentile(50)), millis(micros.getValueAtPercentile(99)), resumeReads,
                storeReads, recovered, errors, notRecovered, closes, timedOut, problems);
    }

    /** Replay pages and gap counts (one per resume longer than a page) the gateways asked history for. */
    private long resumeReads() {
        return sumOverGateways("gateway_history_reads_total", "kind=\"resume\"")
                + sumOverGateways("gateway_history_reads_total", "kind=\"resume_count\"");
    }

    private long storeReads() {
        URI metrics = URI.create("http://127.0.0.1:" + cluster.history().metricsPort() + "/metrics");
        return scrape.sum(metrics, "switchboard_history_reads_total", "");
    }

    private long sumOverGateways(String name, String labels) {
        long sum = 0;
        for (int i = 0; i < spec.gateways(); i++) {
            sum += scrape.sum(cluster.httpUri(i).resolve("metrics"), name, labels);
        }
        return sum;
    }

    private WsTestClient open(int gateway, String user) {
        WsTestClient client = WsTestClient.connected(cluster.webSocketUri(gateway), Subprotocol.PROTO,
                tokens.token(user, ResumeStormSpec.ROOM));
        opened.add(client);
        return client;
    }

    private void closeAll() {
        try (ExecutorService closer = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("storm-close-", 1).factory())) {
            for (WsTestClient client : opened) {
                closer.execute(client::close);
            }
        }
        opened.clear();
    }

    private static void acquire(Semaphore semaphore, int permits) {
        try {
            if (!semaphore.tryAcquire(permits, REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("no publish acknowledgement within " + REQUEST_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing", e);
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("timed out after " + SETTLE_TIMEOUT + " waiting for " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while waiting for " + what);
            }
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static double millis(long micros) {
        return micros / 1000.0;
    }
}
