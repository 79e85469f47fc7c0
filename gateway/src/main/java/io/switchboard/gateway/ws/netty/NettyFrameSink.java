package io.switchboard.gateway.ws.netty;

import java.util.List;
import java.util.concurrent.Executor;
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
 * wrapped, not copied: the WebSocket encoder lets bytes through as they are. The connection's writer runs on the
 * channel's event loop ({@link #writerExecutor()}), so a write goes straight to the channel, with no task handed
 * over and no thread started per delivery; while the channel is over its write high-water mark the writer stops
 * ({@link #writable()}) and the frames wait in the session's bounded outbound queue, not in Netty's unbounded one,
 * until {@link #writabilityChanged()} resumes it. A send from any other thread blocks while the channel is over the
 * mark.
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
    // Event loop only: the queue's writer that stopped because the channel was not writable.
    private Runnable resume;
    // Set when the connection is failed (RFC 6455 7.1.7: bad input): the TCP connection ends right after the close
    // frame instead of waiting for the client's answer, which a broken frame decoder could not read anyway.
    private volatile boolean failing;

    NettyFrameSink(Channel channel) {
        this.channel = channel;
    }

    @Override
    public Executor writerExecutor() {
        return channel.eventLoop();
    }

    /** A closed channel counts as writable: the writer goes on and finds the transport gone. */
    @Override
    public boolean writable() {
        return channel.isWritable() || !channel.isActive();
    }

    @Override
    public void whenWritable(Runnable task) {
        if (writable()) {
            channel.eventLoop().execute(task);
        } else {
            resume = task;
        }
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
    void writabilityChanged() {
        Runnable task = resume;
        if (task != null && writable()) {
            resume = null;
            task.run();
        }
        synchronized (this) {
            notifyAll();
        }
    }

    /** Off the event loop only: there the writer does not write while the channel is not writable. */
    private void awaitWritable() {
        if (channel.isWritable() || channel.eventLoop().inEventLoop()) {
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
