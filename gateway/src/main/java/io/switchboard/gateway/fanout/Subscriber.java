package io.switchboard.gateway.fanout;

/**
 * A local receiver of room messages (a client connection). {@link #deliver(FanoutMessage)} is called on the
 * fan-out thread, in partition order, and must not block: it enqueues and returns.
 */
public interface Subscriber {
    void deliver(FanoutMessage message);
}
