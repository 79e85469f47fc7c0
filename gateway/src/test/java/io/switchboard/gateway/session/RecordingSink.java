package io.switchboard.gateway.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.gateway.ws.FrameSink;
import io.switchboard.gateway.ws.OutboundFrame;
import io.switchboard.gateway.ws.Release;
import io.switchboard.proto.client.v1.ServerFrame;

/**
 * A {@link FrameSink} that records what a session's writer wrote (binary protobuf frames, decoded), its close
 * frame and aborts. {@link #hold()} makes writes block until {@link #release()}, like a client that stops
 * reading. Thread-safe.
 */
final class RecordingSink implements FrameSink {
    record Close(int code, String reason) {
    }

    private final List<ServerFrame> frames = new ArrayList<>();
    private final List<byte[]> pongs = new ArrayList<>();
    private volatile Close close;
    private volatile boolean aborted;
    private volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public void send(OutboundFrame frame) {
        Release.await(gate, Duration.ofMinutes(1));
        synchronized (this) {
            switch (frame.kind()) {
                case BINARY -> {
                    try {
                        frames.add(ServerFrame.parseFrom(frame.bytes()));
                    } catch (InvalidProtocolBufferException e) {
                        throw new AssertionError("the session wrote a frame that is not a ServerFrame", e);
                    }
                }
                case PONG -> pongs.add(frame.bytes());
                case TEXT -> throw new AssertionError("text frame on a binary-subprotocol connection");
            }
        }
    }

    @Override
    public void close(int code, String reason) {
        close = new Close(code, reason);
    }

    @Override
    public void abort() {
        aborted = true;
        gate.countDown();
    }

    /** Blocks writes from now on, until {@link #release()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        gate.countDown();
    }

    synchronized List<ServerFrame> frames() {
        return List.copyOf(frames);
    }

    synchronized List<byte[]> pongs() {
        return List.copyOf(pongs);
    }

    /** The close frame written, or null. */
    Close closed() {
        return close;
    }

    boolean aborted() {
        return aborted;
    }
}
