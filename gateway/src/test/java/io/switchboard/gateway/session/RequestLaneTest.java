package io.switchboard.gateway.session;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A connection's request lane: in order, never two steps at once, bounded, and stoppable. */
class RequestLaneTest {
    private final RequestLane lane = new RequestLane("s-1");
    private final List<String> ran = new CopyOnWriteArrayList<>();

    private RequestLane.Step step(String name) {
        return () -> {
            ran.add(name);
            return null;
        };
    }

    @Test
    void stepsRunAtOnceOnTheCallersThreadWhileNothingWaits() {
        Thread caller = Thread.currentThread();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        assertThat(lane.offer(() -> {
            threads.add(Thread.currentThread());
            return CompletableFuture.completedFuture(null); // already decided: nothing to wait for
        }, 10)).isTrue();
        assertThat(lane.offer(step("b"), 10)).isTrue();
        assertThat(threads).containsExactly(caller);
        assertThat(ran).containsExactly("b");
        assertThat(lane.waiting()).isZero();
    }

    @Test
    void stepsAfterOneThatWaitsRunInOrderOnceItsStageCompletes() {
        CompletableFuture<Void> answer = new CompletableFuture<>();
        lane.offer(() -> {
            ran.add("asks");
            return answer;
        }, 10);
        lane.offer(step("second"), 10);
        lane.offer(step("third"), 10);
        assertThat(ran).containsExactly("asks");
        assertThat(lane.waiting()).isEqualTo(2);

        answer.complete(null);

        assertThat(ran).containsExactly("asks", "second", "third");
        assertThat(lane.waiting()).isZero();
        lane.offer(step("later"), 10);
        assertThat(ran).last().isEqualTo("later");
    }

    @Test
    void aFailedStageAndAFailingStepDoNotStallTheLane() {
        CompletableFuture<Void> answer = new CompletableFuture<>();
        lane.offer(() -> answer, 10);
        lane.offer(() -> {
            throw new IllegalStateException("a bug in one request");
        }, 10);
        lane.offer(step("after"), 10);

        answer.completeExceptionally(new RuntimeException("backend gone"));

        assertThat(ran).containsExactly("after");
    }

    @Test
    void whatDoesNotFitIsRefusedButServerStepsAlwaysFit() {
        CompletableFuture<Void> answer = new CompletableFuture<>();
        lane.offer(() -> answer, 10);
        for (int i = 0; i < RequestLane.MAX_WAITING; i++) {
            assertThat(lane.offer(step("c" + i), 10)).isTrue();
        }
        assertThat(lane.offer(step("too many"), 10)).isFalse();
        lane.offerAlways(step("server"));
        assertThat(lane.waiting()).isEqualTo(RequestLane.MAX_WAITING + 1);

        answer.complete(null);

        assertThat(ran).hasSize(RequestLane.MAX_WAITING + 1).doesNotContain("too many").last().isEqualTo("server");
    }

    @Test
    void bytesWaitingAreBoundedToo() {
        CompletableFuture<Void> answer = new CompletableFuture<>();
        lane.offer(() -> answer, 0);
        assertThat(lane.offer(step("big"), RequestLane.MAX_WAITING_BYTES)).isTrue();
        assertThat(lane.offer(step("one byte more"), 1)).isFalse();
    }

    @Test
    void aStoppedLaneDropsWhatWaitsAndTakesNothingMore() {
        CompletableFuture<Void> answer = new CompletableFuture<>();
        lane.offer(() -> answer, 10);
        lane.offer(step("waiting"), 10);

        lane.stop();
        answer.complete(null);

        assertThat(lane.offer(step("after stop"), 10)).isFalse();
        assertThat(ran).isEmpty();
    }

    @Test
    void stagesCompletingOnOtherThreadsNeverRunTwoStepsAtOnceAndKeepTheOrder() throws Exception {
        int steps = 2_000;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<Integer> order = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(steps);
        ExecutorService answers = Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < steps; i++) {
                int n = i;
                lane.offerAlways(() -> {
                    if (running.incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    order.add(n);
                    running.decrementAndGet();
                    done.countDown();
                    // Every third request waits for an answer from another thread.
                    return n % 3 == 0 ? CompletableFuture.runAsync(() -> { }, answers) : null;
                });
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            answers.shutdownNow();
        }
        assertThat(overlaps).hasValue(0);
        assertThat(order).containsExactlyElementsOf(IntStream.range(0, steps).boxed().toList());
    }
}
