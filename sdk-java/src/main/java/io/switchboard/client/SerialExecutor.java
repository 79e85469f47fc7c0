package io.switchboard.client;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: each client is an event loop without
 * a thread of its own. A task submitted from a running task runs after it (never nested). Thread-safe.
 */
final class SerialExecutor implements Executor {
    private static final System.Logger LOG = System.getLogger(SerialExecutor.class.getName());

    private final Executor delegate;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Thread runner;

    SerialExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (running.compareAndSet(false, true)) {
            try {
                delegate.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // The client's own scheduler is shut down (the client closed): nothing runs any more. Not stuck
                // "running", so that every later caller hears the same.
                tasks.remove(task);
                running.set(false);
                throw e;
            }
        }
    }

    boolean runningOnThisThread() {
        return runner == Thread.currentThread();
    }

    private void drain() {
        // Only the thread that set running to true gets here, so runner has one writer at a time.
        while (true) {
            runner = Thread.currentThread();
            Runnable task;
            while ((task = tasks.poll()) != null) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "client task failed", e);
                }
            }
            runner = null;
            running.set(false);
            // A task added between the last poll and the reset would otherwise wait for the next execute().
            if (tasks.isEmpty() || !running.compareAndSet(false, true)) {
                return;
            }
        }
    }
}
