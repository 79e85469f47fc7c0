package io.switchboard.gateway.limits;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The handshake timeout ({@code gateway.limits.handshake-timeout}): a new TCP connection must deliver a complete
 * HTTP request head (normally its WebSocket upgrade) within it, or it is closed. Helidon 4.5 has no such limit: a
 * connection that sends nothing is never picked up by its idle timeout, and one that trickles its headers holds its
 * thread and socket for as long as it likes.
 *
 * <p>How: {@link #socketOptions()} is the listener's connection options, whose per-accept hook records each new
 * connection with its deadline; {@link #filter} (the first HTTP filter) marks a connection done when its first
 * request head has arrived; {@link #sweep()} (the gateway's timer, every second) closes the connections past their
 * deadline. A connection is keyed by its remote address (unique among open connections of one listener).
 * Thread-safe.
 */
public final class HandshakeDeadlines implements Filter {
    private static final Logger LOG = Logger.getLogger(HandshakeDeadlines.class.getName());

    private record Pending(SocketChannel channel, long deadlineNanos) {
    }

    private final long timeoutNanos;
    private final LongSupplier nanoTime;
    private final LimitMetrics metrics;
    private final Map<SocketAddress, Pending> pending = new ConcurrentHashMap<>();

    /**
     * @param timeout  time from accept to a complete request head
     * @param nanoTime the clock deadlines are measured with ({@code System::nanoTime} in production)
     */
    public HandshakeDeadlines(Duration timeout, LongSupplier nanoTime, LimitMetrics metrics) {
        this.timeoutNanos = timeout.toNanos();
        this.nanoTime = nanoTime;
        this.metrics = metrics;
    }

    /** The web server's connection options (its defaults), plus recording each accepted connection. */
    public SocketOptions socketOptions() {
        return new TrackingOptions(SocketOptions.builder().build());
    }

    /** Records a just-accepted connection. */
    void accepted(SocketChannel channel) {
        try {
            SocketAddress remote = channel.getRemoteAddress();
            if (remote != null) {
                pending.put(remote, new Pending(channel, nanoTime.getAsLong() + timeoutNanos));
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "accepted connection already gone", e);
        }
    }

    /** A request head arrived: the connection's handshake is done. */
    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        pending.remove(req.remotePeer().address());
        chain.proceed();
    }

    /** Closes every connection past its deadline and forgets those that are gone; not concurrently. */
    public void sweep() {
        long now = nanoTime.getAsLong();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (!p.channel().isOpen()) {
                it.remove();
            } else if (now - p.deadlineNanos() > 0) {
                it.remove();
                metrics.refused(LimitMetrics.Limit.HANDSHAKE_TIMEOUT);
                try {
                    p.channel().close();
                } catch (IOException e) {
                    LOG.log(Level.FINE, "closing a connection past its handshake deadline failed", e);
                }
            }
        }
    }

    /** Connections accepted and still waiting for their first request head. */
    public int pending() {
        return pending.size();
    }

    /** Helidon's options, with the per-accept hook. */
    private final class TrackingOptions implements SocketOptions {
        private final SocketOptions delegate;

        TrackingOptions(SocketOptions delegate) {
            this.delegate = delegate;
        }

        @Override
        public void configureSocket(SocketChannel channel) {
            delegate.configureSocket(channel);
            accepted(channel);
        }

        @Override
        public void configureSocket(java.net.Socket socket) {
            delegate.configureSocket(socket);
        }

        @Override
        public Map<java.net.SocketOption<?>, Object> socketOptions() {
            return delegate.socketOptions();
        }

        @Override
        public Duration connectTimeout() {
            return delegate.connectTimeout();
        }

        @Override
        public Duration readTimeout() {
            return delegate.readTimeout();
        }

        @Override
        public java.util.Optional<Integer> socketReceiveBufferSize() {
            return delegate.socketReceiveBufferSize();
        }

        @Override
        public java.util.Optional<Integer> socketSendBufferSize() {
            return delegate.socketSendBufferSize();
        }

        @Override
        public boolean socketReuseAddress() {
            return delegate.socketReuseAddress();
        }

        @Override
        public boolean socketKeepAlive() {
            return delegate.socketKeepAlive();
        }

        @Override
        public boolean tcpNoDelay() {
            return delegate.tcpNoDelay();
        }
    }
}
