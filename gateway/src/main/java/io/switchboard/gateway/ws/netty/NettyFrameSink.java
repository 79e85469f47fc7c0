package io.switchboard.gateway.ws.netty;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.switchboard.gateway.ws.FrameSink;
import io.switchboard.gateway.ws.OutboundFrame;

/**
 * {@link FrameSink} over a Netty channel. Frames go in their prepared wire form ({@link OutboundFrame#wireView()}),
 * wrapped, not copied: the WebSocket encoder lets bytes through as they are. A send blocks its caller (the
 * connection's writer, never the event loop) while the channel is over its write high-water mark, woken by
 * {@link #writabilityChanged()} or by the channel closing, so a client that does not read fills the session's
 * bounded outbound queue rather than Netty's unbounded one.
 *
 * <p>The close handshake: {@link #close} sends the close frame and the connection ends when the client answers
 * ({@link #closeReceived}) or when the session's close timeout aborts it, except after bad input
 * ({@link #failOnClose()}), when it ends right after the close frame; a client's close is answered with its own
 * code, once. Thread-safe: {@link #send} from the connection's one writer, {@link #abort()} from any thread, the
 * callbacks from the event loop.
 */
final class NettyFrameSink implements FrameSink {
    /** How long a blocked send waits before it looks at the channel again (a missed wake-up costs no more). */
    private static final long WAIT_SLICE_MILLIS = 200;

    private final Channel channel;
    private final AtomicBoolean closeSent = new AtomicBoolean();
    // Set when the connection is failed (RFC 6455 7.1.7: bad input): the TCP connection ends right after the close
    // frame instead of waiting for the client's answer, which a broken frame decoder could not read anyway.
    private volatile boolean failing;

    NettyFrameSink(Channel channel) {
        this.channel = channel;
    }

    @Override
    public void send(OutboundFrame frame) {
        awaitWritable();
        channel.writeAndFlush(Unpooled.wrappedBuffer(frame.wireView()), channel.voidPromise());
    }

    @Override
    public void send(List<OutboundFrame> frames) {
        awaitWritable();
        for (OutboundFrame frame : frames) {
            channel.write(Unpooled.wrappedBuffer(frame.wireView()), channel.voidPromise());
        }
        channel.flush();
    }

    @Override
    public void close(int code, String reason) {
        if (!channel.isActive()) {
            throw new IllegalStateException("connection closed: " + channel);
        }
        if (closeSent.compareAndSet(false, true)) {
            if (failing) {
                channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
            } else {
                channel.writeAndFlush(new CloseWebSocketFrame(code, reason), channel.voidPromise());
            }
        }
    }

    /** The next close ends the TCP connection right after its close frame (bad input). Any thread. */
    void failOnClose() {
        failing = true;
    }

    @Override
    public void abort() {
        channel.close();
    }

    /** The client sent a close frame: answer it (unless ours went first), then end the connection. Event loop. */
    void closeReceived(int code) {
        if (closeSent.compareAndSet(false, true)) {
            CloseWebSocketFrame answer = code < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, null);
            channel.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    /** The channel became writable or unwritable, or closed: wakes a blocked send. Event loop. */
    synchronized void writabilityChanged() {
        notifyAll();
    }

    private void awaitWritable() {
        if (channel.isWritable()) {
            return;
        }
        synchronized (this) {
            while (!channel.isWritable()) {
                if (!channel.isActive()) {
                    throw new IllegalStateException("connection closed: " + channel);
                }
                try {
                    wait(WAIT_SLICE_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the client does not read: " + channel, e);
                }
            }
        }
    }
}
