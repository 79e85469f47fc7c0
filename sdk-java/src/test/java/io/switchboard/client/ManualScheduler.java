package io.switchboard.client;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A scheduler on a {@link FakeClock}: immediate tasks run inline, delayed ones when the test advances time. Tasks may
 * be scheduled from other threads (a transport's HTTP callbacks); they run on the thread that advances time, outside
 * the scheduler's lock.
 */
final class ManualScheduler implements Scheduler {
    private record Task(Instant due, long seq, Runnable body, AtomicBoolean cancelled) {
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
    public synchronized Cancellable schedule(Runnable body, Duration delay) {
        AtomicBoolean cancelled = new AtomicBoolean();
        tasks.add(new Task(clock.instant().plus(delay), seq++, body, cancelled));
        return () -> cancelled.set(true);
    }

    /** Delayed tasks neither run nor cancelled yet. */
    synchronized int pending() {
        return (int) tasks.stream().filter(task -> !task.cancelled().get()).count();
    }

    /** Moves time forward by {@code step}, running every task that falls due, each at its due time. */
    void advance(Duration step) {
        Instant end;
        synchronized (this) {
            end = clock.instant().plus(step);
        }
        for (Task task; (task = nextDue(end)) != null; ) {
            if (!task.cancelled().get()) {
                task.body().run();
            }
        }
        synchronized (this) {
            clock.set(end);
        }
    }

    /** The next task due by {@code end}, the clock moved to its due time; null if none. */
    private synchronized Task nextDue(Instant end) {
        if (tasks.isEmpty() || tasks.peek().due().isAfter(end)) {
            return null;
        }
        Task task = tasks.poll();
        if (task.due().isAfter(clock.instant())) {
            clock.set(task.due());
        }
        return task;
    }

    /** Runs tasks that are due now. */
    void runDue() {
        advance(Duration.ZERO);
    }
}
