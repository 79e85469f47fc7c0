package io.switchboard.gateway.routing;

import java.util.concurrent.ScheduledExecutorService;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.ManagedChannel;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;

/**
 * One router as the pool holds it: its channel, its stub, its publish stream, its circuit breaker and the calls in
 * flight on it. A router that vanished from discovery is retired: it takes no new call, its publish stream is
 * half-closed, and its channel is shut down once the last call in flight on it ended. Thread-safe.
 */
final class RouterChannel {
    private final RouterEndpoint endpoint;
    private final ManagedChannel channel;
    private final RouterServiceGrpc.RouterServiceStub stub;
    private final PublishStream publishes;
    private final CircuitBreaker breaker;
    private final Object lock = new Object();
    // @GuardedBy("lock")
    private int inFlight;
    // @GuardedBy("lock")
    private boolean retired;

    /**
     * @param deadlines         times out the requests of the router's publish stream
     * @param streamOnEventLoop the publish stream's answers are handled on the channel's event loop (a direct
     *                          executor: what they run, completing the publish and queueing its Ack, never blocks)
     *                          instead of a hand-off to gRPC's callback executor
     */
    RouterChannel(RouterEndpoint endpoint, ManagedChannel channel, CircuitBreaker breaker,
                  ScheduledExecutorService deadlines, boolean streamOnEventLoop) {
        this.endpoint = endpoint;
        this.channel = channel;
        this.stub = RouterServiceGrpc.newStub(channel);
        this.publishes = new PublishStream(endpoint.toString(),
                streamOnEventLoop ? stub.withExecutor(Runnable::run) : stub, deadlines);
        this.breaker = breaker;
    }

    RouterEndpoint endpoint() {
        return endpoint;
    }

    RouterServiceGrpc.RouterServiceStub stub() {
        return stub;
    }

    /** The publishes to this router, over one stream. */
    PublishStream publishes() {
        return publishes;
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    ManagedChannel channel() {
        return channel;
    }

    /** Counts a call in; false when the router is retired (the caller moves on to the next one). */
    boolean tryAcquire() {
        synchronized (lock) {
            if (retired) {
                return false;
            }
            inFlight++;
            return true;
        }
    }

    /** Counts a call out; shuts the channel down when it was the last call of a retired router. */
    void release() {
        boolean last;
        synchronized (lock) {
            inFlight--;
            last = retired && inFlight == 0;
        }
        if (last) {
            channel.shutdown();
        }
    }

    /** Takes no new calls from now on; the channel closes when the calls in flight have ended. Idempotent. */
    void retire() {
        boolean idle;
        synchronized (lock) {
            if (retired) {
                return;
            }
            retired = true;
            idle = inFlight == 0;
        }
        publishes.close();
        if (idle) {
            channel.shutdown();
        }
    }

    int inFlight() {
        synchronized (lock) {
            return inFlight;
        }
    }

    @Override
    public String toString() {
        return endpoint.toString();
    }
}
