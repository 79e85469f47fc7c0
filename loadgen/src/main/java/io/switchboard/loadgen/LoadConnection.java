package io.switchboard.loadgen;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One generator client: after the WebSocket handshake it sends {@code connect}, waits for {@code connected},
 * subscribes to its room if it is a subscriber, and then is ready. Afterwards it records deliveries and acks
 * into the current step's {@link StepRecorder}. Its handler methods run on the channel's event loop;
 * {@link #publish} runs on the worker's scheduler thread and only hands a frame to the event loop.
 * Thread-safe as far as that split goes: the request-id ring is written before the frame is handed over.
 */
final class LoadConnection extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final int RING = 1 << 12;
    private static final int SUBSCRIBE_REQUEST = 1;

    private final Plan plan;
    private final int client;
    private final String token;
    private final Supplier<StepRecorder> recorder;
    private final Runnable onDrop;
    private final CompletableFuture<Long> ready = new CompletableFuture<>();
    private final Inbound inbound = new Inbound();
    private final long[] intendedByRequest = new long[RING];
    private final boolean checkOrder;
    private volatile Channel channel;
    private volatile boolean closing;
    private int nextRequestId = SUBSCRIBE_REQUEST;
    // Event loop only: the publisher's sequence numbers seen in the current step (one publisher per room).
    private long lastSequence = -1;
    private final java.util.BitSet seen = new java.util.BitSet();
    private StepRecorder seenIn;

    LoadConnection(Plan plan, int client, String token, Supplier<StepRecorder> recorder, Runnable onDrop) {
        this.plan = plan;
        this.client = client;
        this.token = token;
        this.recorder = recorder;
        this.onDrop = onDrop;
        this.checkOrder = plan.workload() != Workload.ACKS;
    }

    int client() {
        return client;
    }

    /** Completes with the {@link System#nanoTime()} at which the client was ready, or fails. */
    CompletableFuture<Long> ready() {
        return ready;
    }

    void fail(Throwable cause) {
        ready.completeExceptionally(cause);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            ctx.writeAndFlush(plan.subprotocol().connect(token));
        } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            ready.completeExceptionally(new IllegalStateException("WebSocket handshake timed out"));
            ctx.close();
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof CloseWebSocketFrame close) {
            String why = "closed by the server: " + close.statusCode() + " " + close.reasonText();
            if (!ready.isDone()) {
                ready.completeExceptionally(new IllegalStateException(why));
            } else if (!closing) {
                StepRecorder r = recorder.get();
                if (r != null) {
                    r.error(why);
                }
            }
            ctx.close();
            return;
        }
        if (!(frame instanceof TextWebSocketFrame) && !(frame instanceof BinaryWebSocketFrame)) {
            return;
        }
        long now = System.nanoTime(); // bytes on the wire: counted by the WireMeter before any extension decoder
        if (plan.batch() && plan.subprotocol().unbatch(frame, inner -> handle(ctx, inner, now))) {
            return;
        }
        handle(ctx, frame, now);
    }

    /** Bytes a server-to-client WebSocket frame of {@code payload} bytes takes on the wire (unmasked header). */
    static long wireBytes(int payload) {
        return payload + (payload < 126 ? 2 : payload < 65_536 ? 4 : 10);
    }

    private void handle(ChannelHandlerContext ctx, WebSocketFrame frame, long now) {
        plan.subprotocol().decode(frame, inbound);
        switch (inbound.kind) {
            case MESSAGE -> onMessage(now);
            case ACK -> onAck(now);
            case CONNECTED -> {
                if (plan.isPublisher(client) || plan.workload() == Workload.IDLE) {
                    ready.complete(now);
                } else {
                    ctx.writeAndFlush(plan.subprotocol().subscribe(SUBSCRIBE_REQUEST, plan.roomName(plan.roomOf(client))));
                }
            }
            case SUBSCRIBED -> ready.complete(now);
            case ERROR -> onError();
            case OTHER -> {
                if (inbound.error != null) {
                    onError();
                }
            }
        }
    }

    private void onMessage(long now) {
        StepRecorder r = recorder.get();
        byte[] payload = inbound.payload;
        if (r == null || payload == null || payload.length < Payloads.HEADER_BYTES) {
            if (r != null) {
                r.error("message without the generator's header");
            }
            return;
        }
        long sequence = Payloads.sequence(payload);
        boolean inOrder = true;
        boolean duplicate = false;
        if (checkOrder) {
            if (seenIn != r) {
                seenIn = r;
                seen.clear();
                lastSequence = -1;
            }
            inOrder = sequence > lastSequence;
            if (inOrder) {
                lastSequence = sequence;
            }
            if (sequence >= 0 && sequence < Integer.MAX_VALUE) {
                duplicate = seen.get((int) sequence);
                seen.set((int) sequence);
            }
        }
        r.delivery(Payloads.intended(payload), now, inOrder, duplicate);
    }

    private void onAck(long now) {
        StepRecorder r = recorder.get();
        if (r != null && inbound.requestId != SUBSCRIBE_REQUEST) {
            r.ack(intendedByRequest[inbound.requestId & (RING - 1)], now);
        }
    }

    private void onError() {
        if (!ready.isDone()) {
            ready.completeExceptionally(new IllegalStateException("server answered " + inbound.error));
            return;
        }
        StepRecorder r = recorder.get();
        if (r == null) {
            return;
        }
        if (inbound.requestId > SUBSCRIBE_REQUEST) {
            r.ackError(intendedByRequest[inbound.requestId & (RING - 1)], inbound.error);
        } else {
            r.error(inbound.error);
        }
    }

    /** Scheduler thread: publishes sequence {@code sequence} intended at {@code intended}; false if not open. */
    boolean publish(StepSpec step, int publisher, long sequence, long intended) {
        Channel c = channel;
        if (c == null || !c.isActive()) {
            return false;
        }
        int requestId = ++nextRequestId;
        if (requestId == Integer.MAX_VALUE) {
            nextRequestId = SUBSCRIBE_REQUEST;
        }
        intendedByRequest[requestId & (RING - 1)] = intended;
        byte[] payload = Payloads.create(plan.payloadBytes(), intended, sequence);
        String id = "s" + step.index() + "-p" + publisher + "-" + sequence;
        c.writeAndFlush(plan.subprotocol().publish(requestId, plan.roomName(plan.roomOf(client)), id, payload),
                c.voidPromise());
        return true;
    }

    boolean isOpen() {
        Channel c = channel;
        return c != null && c.isActive();
    }

    /** Closes with a normal close frame; the server's closing it afterwards is not a drop. */
    void close() {
        closing = true;
        Channel c = channel;
        if (c != null && c.isActive()) {
            c.writeAndFlush(new CloseWebSocketFrame(1000, "load generator done")).addListener(f -> c.close());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!ready.isDone()) {
            ready.completeExceptionally(new IllegalStateException("connection closed before ready"));
        } else if (!closing) {
            onDrop.run();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!ready.isDone()) {
            ready.completeExceptionally(cause);
        }
        ctx.close();
    }
}
