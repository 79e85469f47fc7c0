package io.switchboard.client;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/** A scheduler on a {@link FakeClock}: immediate tasks run inline, delayed ones when the test advances time. */
final class ManualScheduler implements Scheduler {
    private record Task(Instant due, long seq, Runnable body, boolean[] cancelled) {
    }

    private final FakeClock clock;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> {
        int byDue = a.due().compareTo(b.due());
        return byDue != 0 ? byDue : Long.compare(a.seq(), b.seq());
    });
    private long seq;

    ManualScheduler(FakeClock clock) {
        this.clock = clock;
    }

    @Override
    public void execute(Runnable task) {
        task.run();
    }

    @Override
    public Cancellable schedule(Runnable body, Duration delay) {
        boolean[] cancelled = {false};
        tasks.add(new Task(clock.instant().plus(delay), seq++, body, cancelled));
        return () -> cancelled[0] = true;
    }

    /** Moves time forward by {@code step}, running every task that falls due, each at its due time. */
    void advance(Duration step) {
        Instant end = clock.instant().plus(step);
        while (!tasks.isEmpty() && !tasks.peek().due().isAfter(end)) {
            Task task = tasks.poll();
            if (task.due().isAfter(clock.instant())) {
                clock.set(task.due());
            }
            if (!task.cancelled()[0]) {
                task.body().run();
            }
        }
        clock.set(end);
    }

    /** Runs tasks that are due now. */
    void runDue() {
        advance(Duration.ZERO);
    }
}
