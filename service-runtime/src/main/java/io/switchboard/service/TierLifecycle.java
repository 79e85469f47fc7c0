package io.switchboard.service;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The lifecycle state machine of one tier process (NEW, STARTING, RUNNING, DRAINING, STOPPED, FAILED): a
 * double start fails, a failed start releases what it opened and terminates, a stop before start just
 * terminates, a second stop does nothing. The tier owns one and passes in its start, drain and stop phases.
 *
 * <p>Thread-safe: transitions and the phases run under one lock (reentrant, so a stop phase may drain); the
 * state is volatile so that readiness checks need no lock.
 */
public final class TierLifecycle {
    /** Where a tier is in its life. */
    public enum State { NEW, STARTING, RUNNING, DRAINING, STOPPED, FAILED }

    private final String name;
    private final System.Logger log;
    private final Object lock = new Object();
    private final CountDownLatch terminated = new CountDownLatch(1);
    /** Written under {@code lock}. */
    private volatile State state = State.NEW;
    // Set by the start phase (under lock), read by any thread.
    private volatile int port = -1;
    private volatile int metricsPort = -1;

    /**
     * @param name names the tier instance in messages and log lines, such as {@code "router r-1"}
     * @param log  the tier's logger, which the {@code stopped}/{@code draining} lines go to
     */
    public TierLifecycle(String name, System.Logger log) {
        this.name = Objects.requireNonNull(name, "name");
        this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * Runs {@code start}; on a {@link RuntimeException} runs {@code releaseAfterFailure}, terminates (FAILED)
     * and rethrows.
     *
     * @throws IllegalStateException when not NEW
     */
    public void start(Runnable start, Runnable releaseAfterFailure) {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException(name + " already started (state " + state + ")");
            }
            state = State.STARTING;
            try {
                start.run();
                state = State.RUNNING;
            } catch (RuntimeException e) {
                state = State.FAILED;
                releaseAfterFailure.run();
                terminated.countDown();
                throw e;
            }
        }
    }

    /** When RUNNING, becomes DRAINING, runs {@code drain} and logs it; otherwise does nothing. */
    public void drain(Runnable drain) {
        synchronized (lock) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.DRAINING;
            drain.run();
            log.log(Level.INFO, name + " draining");
        }
    }

    /**
     * When started, runs {@code stop} (blocking) then becomes STOPPED and logs it; before start just becomes
     * STOPPED; after a stop or a failed start does nothing. Terminates in every case.
     */
    public void stop(Runnable stop) {
        synchronized (lock) {
            if (state == State.STOPPED || state == State.FAILED) {
                return;
            }
            if (state == State.NEW) {
                state = State.STOPPED;
                terminated.countDown();
                return;
            }
            stop.run();
            state = State.STOPPED;
            terminated.countDown();
            log.log(Level.INFO, name + " stopped");
        }
    }

    /**
     * From the start phase, once the tier listens: the ports of its gRPC server and of its metrics/health endpoint
     * ({@code null} when disabled), for {@link #port()} and {@link #metricsPort()}.
     */
    public void bound(GrpcServerRuntime grpc, HttpEndpoints http) {
        port = grpc.port();
        metricsPort = http == null ? -1 : http.port();
    }

    /**
     * The bound gRPC port.
     *
     * @throws IllegalStateException unless started
     */
    public int port() {
        requireStarted();
        return port;
    }

    /**
     * The bound metrics/health HTTP port, or -1 when disabled.
     *
     * @throws IllegalStateException unless started
     */
    public int metricsPort() {
        requireStarted();
        return metricsPort;
    }

    /**
     * {@link #stop} for a gRPC tier with nothing to drain first: reports NOT_SERVING on {@code grpc} (health checks
     * turn away), then runs {@code release} with {@code grace}, in which running calls may finish.
     */
    public void stopServing(GrpcServerRuntime grpc, Duration grace, Consumer<Duration> release) {
        Objects.requireNonNull(grace, "grace");
        stop(() -> {
            grpc.notServing();
            release.accept(grace);
        });
    }

    /** The current state. */
    public State state() {
        return state;
    }

    /** Whether the tier serves and is not draining. */
    public boolean isRunning() {
        return state == State.RUNNING;
    }

    /** @throws IllegalStateException unless started (RUNNING, DRAINING or STOPPED) */
    public void requireStarted() {
        State s = state;
        if (s == State.NEW || s == State.STARTING || s == State.FAILED) {
            throw new IllegalStateException(name + " is not started (state " + s + ")");
        }
    }

    /** Blocks until the tier has stopped or failed to start. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }
}
