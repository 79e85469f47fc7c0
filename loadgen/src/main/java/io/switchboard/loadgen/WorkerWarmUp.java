package io.switchboard.loadgen;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ServerFrame;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * Runs a worker's own receive and publish code on frames it makes itself, before its clients connect, so that the
 * JIT compiles that code before the measured server's first minute instead of during it. Without it the two
 * workers' C2 compilers took 0.35-0.6 of a core through the first 15 s of publishing, on the cores the server
 * needed (performance.md, Round 19).
 *
 * <p>Nothing goes over the network: server frames are written in the wire format (unmasked, as a server sends
 * them) into an {@link EmbeddedChannel} holding the client's post-handshake pipeline (the WebSocket frame decoder
 * and encoder, the {@link WireMeter} and a {@link LoadConnection}), whose recorder is thrown away afterwards; the
 * connection's publishes go through the same channel's masking encoder and are dropped. Batched and compressed
 * frames are not warmed (their extra code runs rarely). Not thread-safe; runs on the worker's command thread.
 */
final class WorkerWarmUp {
    /** How long the compilers may go on after the frames before the worker answers anyway. */
    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    private static final int MAX_FRAME = 1 << 20;

    private WorkerWarmUp() {
    }

    /**
     * Decodes {@code deliveries} server frames of {@code plan}'s subprotocol through a client pipeline (and as many
     * acks, and publishes one per 50 through it), then waits (at most {@link #SETTLE}) until the JIT compilers have
     * had nothing new to finish for a moment.
     *
     * @return the deliveries the throwaway recorder counted in order and once (all of them, when the path works)
     */
    static long run(Plan plan, int deliveries) {
        long start = System.nanoTime();
        StepRecorder recorder = new StepRecorder(new StepSpec(0, 1, start, start, start + TimeUnit.HOURS.toNanos(1),
                QUIET_NANOS, QUIET_NANOS));
        LoadConnection connection = new LoadConnection(plan, 0, "warm-up", () -> recorder, () -> { });
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocket13FrameDecoder(false, plan.compress(), MAX_FRAME),
                new WebSocket13FrameEncoder(true), new WireMeter(() -> recorder), connection);
        EmbeddedChannel server = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
        StepSpec step = recorder.step();
        try {
            for (int n = 0; n < deliveries; n++) {
                long intended = System.nanoTime();
                byte[] payload = Payloads.create(plan.payloadBytes(), intended, n);
                channel.writeInbound(wire(server, message(plan.subprotocol(), n, payload)));
                channel.writeInbound(wire(server, ack(plan.subprotocol(), n)));
                if (n % 50 == 0) {
                    connection.publish(step, 0, n, intended);
                    releaseOutbound(channel);
                }
            }
            return recorder.stats(0, 0).delivered();
        } finally {
            channel.finishAndReleaseAll();
            server.finishAndReleaseAll();
            awaitCompilers();
        }
    }

    private static ByteBuf wire(EmbeddedChannel server, WebSocketFrame frame) {
        server.writeOutbound(frame);
        return server.readOutbound();
    }

    private static void releaseOutbound(EmbeddedChannel channel) {
        Object sent;
        while ((sent = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(sent);
        }
    }

    /** A delivery as the gateway writes it (the fields the generator skips included). */
    private static WebSocketFrame message(WireFormat format, long position, byte[] payload) {
        if (format == WireFormat.PROTO) {
            return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(ServerFrame.newBuilder()
                    .setMessage(Message.newBuilder().setRoom("load:warm-up").setPosition(position)
                            .setId("warm-up-" + position).setPayload(ByteString.copyFrom(payload))
                            .setContentType("application/octet-stream"))
                    .build().toByteArray()));
        }
        return new TextWebSocketFrame("{\"message\":{\"room\":\"load:warm-up\",\"position\":\"" + position
                + "\",\"id\":\"warm-up-" + position + "\",\"sender\":\"warm-up\",\"payload\":\""
                + Base64.getEncoder().encodeToString(payload) + "\",\"contentType\":\"application/octet-stream\","
                + "\"timestamp\":\"2026-01-01T00:00:00Z\",\"epoch\":\"warm-up:1\"}}");
    }

    private static WebSocketFrame ack(WireFormat format, long n) {
        int requestId = (int) (n % 4000) + 2;
        if (format == WireFormat.PROTO) {
            return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(ServerFrame.newBuilder()
                    .setAck(Ack.newBuilder().setRequestId(requestId).setRoom("load:warm-up").setId("warm-up-" + n)
                            .setPosition(n)).build().toByteArray()));
        }
        return new TextWebSocketFrame("{\"ack\":{\"requestId\":" + requestId + ",\"room\":\"load:warm-up\","
                + "\"id\":\"warm-up-" + n + "\",\"position\":\"" + n + "\",\"epoch\":\"warm-up:1\"}}");
    }

    /** Waits until no compilation finished for {@link #QUIET_NANOS}, at most {@link #SETTLE}. */
    private static void awaitCompilers() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long deadline = System.nanoTime() + SETTLE.toNanos();
        long last = jit.getTotalCompilationTime();
        long quietSince = System.nanoTime();
        while (System.nanoTime() - deadline < 0 && System.nanoTime() - quietSince < QUIET_NANOS) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = jit.getTotalCompilationTime();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            }
        }
    }
}
