package io.switchboard.gateway.ws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class OutboundQueueTest {

    /** Records what the writer does; optionally blocks every send until released. */
    private static final class RecordingSink implements FrameSink {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        final CountDownLatch release;
        final CountDownLatch firstSendStarted = new CountDownLatch(1);
        volatile boolean aborted;

        RecordingSink(boolean blocking) {
            this.release = new CountDownLatch(blocking ? 1 : 0);
        }

        @Override
        public void send(OutboundFrame frame) {
            int now = concurrent.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            firstSendStarted.countDown();
            try {
                Release.await(release);
                events.add(frame.text());
            } finally {
                concurrent.decrementAndGet();
            }
        }

        @Override
        public void close(int code, String reason) {
            events.add("close " + code + " " + reason);
        }

        @Override
        public void abort() {
            aborted = true;
        }
    }

    /** Counts what a queue reports: the change of its queued bytes and its failed writes. */
    private static final class Reports implements OutboundQueue.Listener {
        final AtomicLong queuedBytes = new AtomicLong();
        final AtomicInteger writeFailures = new AtomicInteger();

        @Override
        public void queuedBytesChanged(long delta) {
            queuedBytes.addAndGet(delta);
        }

        @Override
        public void writeFailed(RuntimeException failure) {
            writeFailures.incrementAndGet();
        }
    }

    private static OutboundFrame text(String s) {
        return OutboundFrame.text(s, "test");
    }

    /** A started queue of {@code maxBytes} whose writer now holds {@code first} in the blocking {@code sink}. */
    private static OutboundQueue holdingFirst(String first, RecordingSink sink, int maxBytes,
                                              OutboundQueue.Listener listener) throws InterruptedException {
        OutboundQueue queue = new OutboundQueue("t", maxBytes, sink, listener);
        queue.start();
        assertThat(queue.offer(text(first))).isEqualTo(OutboundQueue.Offer.ACCEPTED);
        assertThat(sink.firstSendStarted.await(10, TimeUnit.SECONDS)).isTrue();
        return queue;
    }

    @Test
    void singleWriterKeepsEachProducersOrderAndNeverWritesConcurrently() throws Exception {
        RecordingSink sink = new RecordingSink(false);
        OutboundQueue queue = new OutboundQueue("t", 1 << 20, sink, new OutboundQueue.Listener() { });
        queue.start();
        int producers = 4;
        int perProducer = 500;
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perProducer; i++) {
                    assertThat(queue.offer(text(id + ":" + i))).isEqualTo(OutboundQueue.Offer.ACCEPTED);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        queue.close(1000, "bye", false);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.events.size() == producers * perProducer + 1);

        assertThat(sink.maxConcurrent.get()).isEqualTo(1);
        assertThat(sink.events.getLast()).isEqualTo("close 1000 bye");
        int[] next = new int[producers];
        for (String e : sink.events.subList(0, producers * perProducer)) {
            String[] parts = e.split(":");
            int p = Integer.parseInt(parts[0]);
            assertThat(Integer.parseInt(parts[1])).isEqualTo(next[p]);
            next[p]++;
        }
    }

    @Test
    void aProducerWaitingForRoomIsWokenByTheWriterOrByTheEndOfTheQueue() throws Exception {
        RecordingSink sink = new RecordingSink(true);
        OutboundQueue queue = new OutboundQueue("t", 100, sink, new OutboundQueue.Listener() { });
        queue.start();
        assertThat(queue.whenQueuedAtMost(0)).as("empty: room at once").isDone();
        queue.offer(text("first"));
        assertThat(sink.firstSendStarted.await(10, TimeUnit.SECONDS)).isTrue(); // writer now blocked on "first"
        String forty = "x".repeat(40);
        queue.offer(text(forty));
        queue.offer(text(forty));
        var half = queue.whenQueuedAtMost(50);
        var none = queue.whenQueuedAtMost(0);
        assertThat(half).as("80 bytes queued and the writer is stuck").isNotDone();

        sink.release.countDown(); // the writer takes the two queued frames in its next batch
        half.get(10, TimeUnit.SECONDS);
        none.get(10, TimeUnit.SECONDS);

        RecordingSink stuck = new RecordingSink(true);
        OutboundQueue ending = holdingFirst("first", stuck, 100, new OutboundQueue.Listener() { });
        ending.offer(text(forty));
        var waiting = ending.whenQueuedAtMost(0);
        assertThat(waiting).isNotDone();
        ending.terminate(false);
        assertThat(waiting).as("a terminated queue writes nothing more: stop waiting").isDone();
        assertThat(ending.accepting()).isFalse();
        stuck.release.countDown();
    }

    @Test
    void overflowDropsTheQueueAndTheCloseReplacesPendingFrames() throws Exception {
        RecordingSink sink = new RecordingSink(true);
        Reports reports = new Reports();
        OutboundQueue queue = holdingFirst("first", sink, 100, reports);

        String forty = "x".repeat(40);
        assertThat(queue.offer(text(forty))).isEqualTo(OutboundQueue.Offer.ACCEPTED);
        assertThat(queue.offer(text(forty))).isEqualTo(OutboundQueue.Offer.ACCEPTED);
        assertThat(queue.queuedBytes()).isEqualTo(80);
        assertThat(queue.offer(text(forty))).isEqualTo(OutboundQueue.Offer.OVERFLOW);
        assertThat(queue.queuedBytes()).isZero();
        assertThat(reports.queuedBytes.get()).isZero();
        assertThat(queue.offer(text("later"))).isEqualTo(OutboundQueue.Offer.CLOSED);

        assertThat(queue.close(3001, "slow consumer", true)).isTrue();
        sink.release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.events.size() == 2);
        assertThat(sink.events).containsExactly("first", "close 3001 slow consumer");
    }

    @Test
    void closeRunsOnceAndAfterPendingFrames() {
        RecordingSink sink = new RecordingSink(false);
        OutboundQueue queue = new OutboundQueue("t", 1000, sink, new OutboundQueue.Listener() { });
        queue.offer(text("a"));
        queue.offer(text("b"));
        assertThat(queue.close(3000, "reconnect", false)).isTrue();
        assertThat(queue.close(3502, "again", false)).isFalse();
        assertThat(queue.offer(text("c"))).isEqualTo(OutboundQueue.Offer.CLOSED);
        queue.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.events.size() == 3);
        assertThat(sink.events).containsExactly("a", "b", "close 3000 reconnect");
    }

    @Test
    void terminateInterruptsABlockedWriteAndDiscardsEverything() throws Exception {
        RecordingSink sink = new RecordingSink(true);
        Reports reports = new Reports();
        OutboundQueue queue = holdingFirst("stuck", sink, 1000, reports);
        queue.offer(text("never"));
        queue.terminate(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> reports.writeFailures.get() == 1);
        assertThat(sink.events).isEmpty();
        assertThat(queue.queuedBytes()).isZero();
        assertThat(queue.close(1000, "x", false)).isFalse();
    }

    /** Records each batch the writer hands over and the thread that wrote it; the first batch blocks until released. */
    private static final class BatchSink extends HeldBatchSink {
        final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> writers = Collections.synchronizedList(new ArrayList<>());

        BatchSink() {
            super(true);
        }

        @Override
        public void send(List<OutboundFrame> frames) {
            writers.add(Thread.currentThread());
            hold();
            batches.add(frames.stream().map(OutboundFrame::text).toList());
        }
    }

    @Test
    void framesQueuedDuringAWriteLeaveTogetherInTheNextWrite() throws Exception {
        BatchSink sink = new BatchSink();
        OutboundQueue queue = new OutboundQueue("t", 1 << 20, sink, new OutboundQueue.Listener() { });
        queue.start();
        queue.offer(text("first"));
        assertThat(sink.firstWrite.await(10, TimeUnit.SECONDS)).isTrue(); // the writer holds "first"
        List<String> more = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            more.add("m" + i);
            queue.offer(text("m" + i));
        }
        sink.release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.batches.size() == 2);
        assertThat(sink.batches).containsExactly(List.of("first"), more);
    }

    @Test
    void anIdleQueueHoldsNoWriterThread() {
        BatchSink sink = new BatchSink();
        sink.release.countDown();
        OutboundQueue queue = new OutboundQueue("t", 1 << 20, sink, new OutboundQueue.Listener() { });
        queue.start();
        queue.offer(text("a"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.batches.size() == 1);
        Thread first = sink.writers.getFirst();
        await().atMost(Duration.ofSeconds(10)).until(() -> !first.isAlive());

        queue.offer(text("b"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.batches.size() == 2);
        assertThat(sink.batches).containsExactly(List.of("a"), List.of("b"));
        assertThat(sink.writers.get(1)).isNotSameAs(first);
    }
}
