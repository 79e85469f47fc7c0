package io.switchboard.bench;

import com.google.protobuf.ByteString;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives one {@link BenchTarget} with a {@link FanoutSpec}: connects and subscribes every client (a bounded
 * number at a time), publishes on a fixed schedule from one publisher per room, waits for deliveries still in
 * flight, then closes every client it opened, also on failure. Latency is measured from each publish's intended
 * send time (carried in its payload), so a publisher that falls behind its schedule shows up as latency instead
 * of hiding it. Not thread-safe: one run per instance.
 */
final class FanoutRun {
    private static final int CONNECT_PARALLELISM = 32;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    // Time to start every publisher thread before the first intended send.
    private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final BenchTarget target;
    private final FanoutSpec spec;
    private final PrintStream log;
    private final Measurements measurements = new Measurements();
    private final Queue<WsTestClient> opened = new ConcurrentLinkedQueue<>();

    FanoutRun(BenchTarget target, FanoutSpec spec, PrintStream log) {
        this.target = target;
        this.spec = spec;
        this.log = log;
    }

    /** Runs the workload and returns its figures; every client is closed before this returns or throws. */
    FanoutResult run() {
        ExecutorService pool = Executors.newFixedThreadPool(CONNECT_PARALLELISM, named("bench-connect-"));
        try {
            List<URI> endpoints = target.endpoints();
            long t = System.nanoTime();
            connectSubscribers(pool, endpoints);
            List<Publisher> publishers = connectPublishers(pool, endpoints);
            log.printf("  %s: %d subscribers and %d publishers connected in %.1f s%n", target.name(),
                    spec.clients(), publishers.size(), (System.nanoTime() - t) / 1e9);
            publish(publishers);
            drain();
            return measurements.result(target.name(), spec, spec.duration().toNanos() / 1e9);
        } finally {
            measurements.closing();
            closeAll(pool);
            pool.shutdownNow();
        }
    }

    private void connectSubscribers(ExecutorService pool, List<URI> endpoints) {
        List<Future<?>> pending = new ArrayList<>(spec.clients());
        for (int i = 0; i < spec.clients(); i++) {
            int subscriber = i;
            pending.add(pool.submit(() -> {
                URI endpoint = endpoints.get(spec.endpointOfSubscriber(subscriber, endpoints.size()));
                WsTestClient client = open(endpoint, "subscriber-" + subscriber);
                client.subscribeAndWait(spec.roomOf(subscriber), REQUEST_TIMEOUT);
                client.divert(measurements::onSubscriberFrame);
            }));
        }
        awaitAll(pending, "connecting subscribers");
    }

    private List<Publisher> connectPublishers(ExecutorService pool, List<URI> endpoints) {
        List<Future<Publisher>> pending = new ArrayList<>(spec.rooms());
        for (int r = 0; r < spec.rooms(); r++) {
            int room = r;
            pending.add(pool.submit(() -> {
                URI endpoint = endpoints.get(spec.endpointOfPublisher(room, endpoints.size()));
                Publisher publisher = new Publisher(room, open(endpoint, "publisher-" + room));
                publisher.client.divert(frame -> measurements.onPublisherFrame(frame, publisher.firstInWindow.get()));
                return publisher;
            }));
        }
        awaitAll(pending, "connecting publishers");
        List<Publisher> publishers = new ArrayList<>(pending.size());
        for (Future<Publisher> f : pending) {
            publishers.add(f.resultNow());
        }
        return publishers;
    }

    private WsTestClient open(URI endpoint, String user) {
        WsTestClient client = WsTestClient.connected(endpoint, Subprotocol.PROTO, target.token(user));
        opened.add(client);
        client.closeFuture().thenAccept(measurements::closed);
        return client;
    }

    // One virtual thread per publisher, each on its own fixed schedule, phases spread so the sum is even.
    private void publish(List<Publisher> publishers) {
        long interval = spec.publishIntervalNanos();
        long t0 = System.nanoTime() + START_DELAY_NANOS;
        long windowStart = t0 + spec.warmup().toNanos();
        long windowEnd = windowStart + spec.duration().toNanos();
        measurements.window(windowStart, windowEnd);
        List<Thread> threads = new ArrayList<>(publishers.size());
        for (Publisher p : publishers) {
            long first = t0 + Math.round(p.room * 1e9 / spec.rate());
            threads.add(Thread.ofVirtual().name("bench-publisher-" + p.room)
                    .start(() -> p.run(first, interval, windowStart, windowEnd)));
        }
        long deadline = windowEnd + REQUEST_TIMEOUT.toNanos();
        for (Thread thread : threads) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
                    threads.forEach(Thread::interrupt);
                    throw new IllegalStateException(thread.getName() + " did not finish its schedule in time");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                threads.forEach(Thread::interrupt);
                throw new IllegalStateException("interrupted while publishing", e);
            }
        }
    }

    // Until every in-window delivery and ack is in, or the drain timeout passes.
    private void drain() {
        long deadline = System.nanoTime() + spec.drainTimeout().toNanos();
        while (measurements.delivered() < measurements.expected() || measurements.acked() < measurements.sent()) {
            if (System.nanoTime() - deadline >= 0) {
                log.printf("  %s: drain timed out after %s with %d of %d deliveries and %d of %d acks%n",
                        target.name(), spec.drainTimeout(), measurements.delivered(), measurements.expected(),
                        measurements.acked(), measurements.sent());
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while draining");
            }
        }
    }

    private void closeAll(ExecutorService pool) {
        List<Future<?>> closing = new ArrayList<>(opened.size());
        for (WsTestClient client : opened) {
            closing.add(pool.submit(client::close));
        }
        for (Future<?> f : closing) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                log.println("  closing a client failed: " + e);
            }
        }
        opened.clear();
    }

    private static void awaitAll(List<? extends Future<?>> futures, String what) {
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            futures.forEach(f -> f.cancel(true));
            throw new IllegalStateException(what + " interrupted", e);
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread thread = new Thread(r, prefix + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The publisher of one room and the request id of its first in-window publish (0 until then). */
    private final class Publisher {
        final int room;
        final WsTestClient client;
        final AtomicInteger firstInWindow = new AtomicInteger();

        Publisher(int room, WsTestClient client) {
            this.room = room;
            this.client = client;
        }

        void run(long first, long interval, long windowStart, long windowEnd) {
            String roomName = FanoutSpec.room(room);
            int subscribers = spec.subscribersOf(room);
            for (long k = 0; ; k++) {
                long intended = first + k * interval;
                if (intended - windowEnd >= 0) {
                    return;
                }
                long wait;
                while ((wait = intended - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                }
                int requestId = client.nextRequestId();
                if (intended - windowStart >= 0) {
                    firstInWindow.compareAndSet(0, requestId);
                }
                ByteBuffer payload = ByteBuffer.allocate(spec.payloadBytes()).putLong(0, intended);
                try {
                    client.send(ClientFrame.newBuilder().setPublish(Publish.newBuilder()
                            .setRequestId(requestId).setRoom(roomName).setId("r" + room + "-" + k)
                            .setPayload(ByteString.copyFrom(payload)).setContentType("application/octet-stream")
                            .setAck(true)).build());
                    measurements.sent(intended, subscribers);
                } catch (RuntimeException e) {
                    measurements.sendFailed(e);
                }
            }
        }
    }
}
