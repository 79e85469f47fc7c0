package io.switchboard.gateway.ws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class WriterLanesTest {
    private final List<WriterLanes> started = new ArrayList<>();

    @AfterEach
    void stopLanes() {
        started.forEach(WriterLanes::stop);
    }

    private WriterLanes lanes(int count, Duration stallAfter) {
        WriterLanes lanes = new WriterLanes("test", count, stallAfter).start();
        started.add(lanes);
        return lanes;
    }

    /** One connection's sink: records what it wrote and on which thread; can hold a write until released. */
    private static final class ConnectionSink extends HeldBatchSink {
        final List<String> written = Collections.synchronizedList(new ArrayList<>());
        final Set<Thread> writers = ConcurrentHashMap.newKeySet();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        final AtomicBoolean sawInterrupt = new AtomicBoolean();

        ConnectionSink() {
            super(false);
        }

        @Override
        public void send(List<OutboundFrame> frames) {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            writers.add(Thread.currentThread());
            try {
                hold();
                frames.forEach(f -> written.add(f.text()));
            } finally {
                if (Thread.currentThread().isInterrupted()) {
                    sawInterrupt.set(true);
                }
                concurrent.decrementAndGet();
            }
        }

        @Override
        public void close(int code, String reason) {
            written.add("close " + code);
        }
    }

    private static OutboundQueue queue(ConnectionSink sink, WriterLanes lanes) {
        OutboundQueue q = new OutboundQueue("c", 1 << 20, sink, new OutboundQueue.Listener() { }, lanes);
        q.start();
        return q;
    }

    private static OutboundFrame text(String s) {
        return OutboundFrame.text(s, "test");
    }

    @Test
    void oneLaneWritesManyConnectionsInOrderWithoutAThreadPerDelivery() throws Exception {
        WriterLanes lanes = lanes(1, Duration.ofSeconds(5));
        int connections = 50;
        int messages = 200;
        List<ConnectionSink> sinks = new ArrayList<>();
        List<OutboundQueue> queues = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            ConnectionSink sink = new ConnectionSink();
            sinks.add(sink);
            queues.add(queue(sink, lanes));
        }
        // Two producers (like the fan-out thread and a connection's own replies) offer to every connection.
        List<Thread> producers = new ArrayList<>();
        for (String producer : List.of("a", "b")) {
            producers.add(Thread.ofPlatform().start(() -> {
                for (int m = 0; m < messages; m++) {
                    for (OutboundQueue q : queues) {
                        assertThat(q.offer(text(producer + m))).isEqualTo(OutboundQueue.Offer.ACCEPTED);
                    }
                }
            }));
        }
        for (Thread t : producers) {
            t.join();
        }
        queues.forEach(q -> q.close(1000, "bye", false));
        await().atMost(Duration.ofSeconds(20)).until(() -> sinks.stream()
                .allMatch(s -> s.written.size() == 2 * messages + 1));

        Set<Thread> allWriters = ConcurrentHashMap.newKeySet();
        for (ConnectionSink sink : sinks) {
            assertThat(sink.maxConcurrent.get()).isEqualTo(1);
            assertThat(sink.written.getLast()).isEqualTo("close 1000");
            for (String producer : List.of("a", "b")) {
                assertThat(sink.written.stream().filter(w -> w.startsWith(producer)).toList())
                        .isEqualTo(IntStream.range(0, messages).mapToObj(m -> producer + m).toList());
            }
            allWriters.addAll(sink.writers);
        }
        // Every write of every connection was made by the lane's one thread.
        assertThat(allWriters).hasSize(1);
        assertThat(lanes.stalls()).isZero();
    }

    @Test
    void aWriteThatBlocksMovesTheLanesOtherConnectionsToANewThread() throws Exception {
        WriterLanes lanes = lanes(1, Duration.ofMillis(50));
        ConnectionSink stuck = new ConnectionSink();
        stuck.release = new CountDownLatch(1);
        ConnectionSink other = new ConnectionSink();
        OutboundQueue stuckQueue = queue(stuck, lanes);
        OutboundQueue otherQueue = queue(other, lanes);

        stuckQueue.offer(text("s0"));
        assertThat(stuck.firstWrite.await(10, TimeUnit.SECONDS)).isTrue(); // the lane's thread is blocked in s0
        stuckQueue.offer(text("s1"));
        otherQueue.offer(text("o0"));
        await().atMost(Duration.ofSeconds(10)).until(() -> other.written.equals(List.of("o0")));
        assertThat(lanes.stalls()).isEqualTo(1);
        Thread stuckThread = stuck.writers.iterator().next();
        assertThat(other.writers).doesNotContain(stuckThread);

        // Released, the stuck thread finishes its connection in order, which keeps writers of its own from now on.
        stuck.release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> stuck.written.equals(List.of("s0", "s1")));
        await().atMost(Duration.ofSeconds(10)).until(() -> !stuckThread.isAlive());
        stuckQueue.offer(text("s2"));
        otherQueue.offer(text("o1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> stuck.written.size() == 3 && other.written.size() == 2);
        assertThat(stuck.written).containsExactly("s0", "s1", "s2");
        Set<Thread> laneThreads = other.writers;
        assertThat(laneThreads).hasSize(1);
        assertThat(stuck.writers).doesNotContainAnyElementsOf(laneThreads);
        assertThat(stuck.maxConcurrent.get()).isEqualTo(1);
    }

    @Test
    void terminatingAConnectionNeverInterruptsItsLane() throws Exception {
        WriterLanes lanes = lanes(1, Duration.ofSeconds(5));
        ConnectionSink held = new ConnectionSink();
        held.release = new CountDownLatch(1);
        OutboundQueue heldQueue = queue(held, lanes);
        heldQueue.offer(text("h0"));
        assertThat(held.firstWrite.await(10, TimeUnit.SECONDS)).isTrue();

        heldQueue.terminate(true); // the owner aborts the transport for a lane's write, never the shared thread
        held.release.countDown();
        ConnectionSink next = new ConnectionSink();
        queue(next, lanes).offer(text("n0"));
        await().atMost(Duration.ofSeconds(10)).until(() -> next.written.equals(List.of("n0")));
        assertThat(held.sawInterrupt).isFalse();
        assertThat(next.writers).isEqualTo(held.writers);
    }

    @Test
    void afterStopQueuesWriteOnThreadsOfTheirOwn() {
        WriterLanes lanes = lanes(2, Duration.ofSeconds(5));
        lanes.stop();
        ConnectionSink sink = new ConnectionSink();
        OutboundQueue q = queue(sink, lanes);
        q.offer(text("a"));
        q.close(1000, "bye", false);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.written.equals(List.of("a", "close 1000")));
    }

    @Test
    void rejectsBadSettings() {
        assertThatThrownBy(() -> new WriterLanes("t", 0, Duration.ofMillis(1)))
                .hasMessage("count: 0 (expected: >= 1)");
        assertThatThrownBy(() -> new WriterLanes("t", 1, Duration.ZERO))
                .hasMessage("stallAfter: PT0S (expected: > 0)");
    }
}
