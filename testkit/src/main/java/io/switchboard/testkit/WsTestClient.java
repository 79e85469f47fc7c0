package io.switchboard.testkit;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A protocol-level Switchboard client for tests, on {@link java.net.http.WebSocket}. Frames received are
 * decoded per the negotiated subprotocol and either queued (read them with {@link #next}) or handed to a
 * listener; the frames of a {@code Batch} (on a {@code +batch} subprotocol) one by one, in order, while
 * {@link #messagesReceived()} counts WebSocket messages as they came. Thread-safe: sends are serialized, as
 * {@code java.net.http.WebSocket} requires.
 *
 * <p>Size: one short helper per client frame the tests send and per way they wait for server frames; the
 * decoding and the listener are the rest. The JDK's client now and then misses an end of stream that comes
 * without a close frame (its socket stays in CLOSE_WAIT): tests that wait for an abort read on
 * {@link RawWebSocket} instead.
 */
public final class WsTestClient implements AutoCloseable {
    /** How a connection ended: the close code and reason the server sent, or 1006 if the transport failed. */
    public record Closed(int code, String reason) {
    }

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();
    // One HttpClient (one selector thread) for every connection: a load generator opens thousands.
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final FrameQueue frames = new FrameQueue(
            () -> closed.isDone() ? "; connection closed: " + closed.join() : "");
    private final AtomicInteger requestIds = new AtomicInteger();
    private final Object sendLock = new Object();
    private final Object receiveLock = new Object();
    // guarded by receiveLock
    private Consumer<ServerFrame> listener;
    private volatile WebSocket socket;
    private volatile Subprotocol subprotocol;
    private volatile String negotiatedToken;
    private volatile int handshakeStatus;
    private final AtomicInteger messagesReceived = new AtomicInteger();

    private WsTestClient(Consumer<ServerFrame> listener) {
        this.listener = listener;
    }

    /** Opens a connection offering exactly {@code subprotocol}; fails if the handshake fails. */
    public static WsTestClient connect(URI uri, Subprotocol subprotocol) {
        return connect(uri, subprotocol, null);
    }

    /**
     * Opens a connection offering exactly {@code subprotocol}; every received frame goes to {@code listener}
     * (on the client's I/O thread) instead of the queue. Fails if the handshake fails.
     */
    public static WsTestClient connect(URI uri, Subprotocol subprotocol, Consumer<ServerFrame> listener) {
        WsTestClient client = open(uri, listener, subprotocol.token());
        if (client.socket == null) {
            throw new IllegalStateException("handshake refused with HTTP " + client.handshakeStatus + " by " + uri);
        }
        return client;
    }

    /** Opens a connection offering these subprotocol tokens; a refused handshake is reported by {@link #handshakeStatus()}. */
    public static WsTestClient connectRaw(URI uri, String... offeredSubprotocols) {
        return open(uri, null, offeredSubprotocols);
    }

    /** Connects, sends Connect with {@code token} and waits for Connected. */
    public static WsTestClient connected(URI uri, Subprotocol subprotocol, String token) {
        return connected(HTTP, uri, subprotocol, token);
    }

    /**
     * As {@link #connected(URI, Subprotocol, String)}, through {@code http}: for {@code wss://}, an HttpClient whose
     * SSLContext trusts the server's certificate authority.
     */
    public static WsTestClient connected(HttpClient http, URI uri, Subprotocol subprotocol, String token) {
        return openConnected(http, uri, token, subprotocol.token());
    }

    /**
     * Connects offering these subprotocol tokens (most preferred first, e.g. a {@code +batch} one), sends Connect
     * with {@code token} and waits for Connected.
     */
    public static WsTestClient connectedOffering(URI uri, String token, String... offered) {
        return openConnected(HTTP, uri, token, offered);
    }

    private static WsTestClient openConnected(HttpClient http, URI uri, String token, String... offered) {
        WsTestClient client = open(http, uri, null, offered);
        if (client.socket == null) {
            throw new IllegalStateException("handshake refused with HTTP " + client.handshakeStatus + " by " + uri);
        }
        client.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(token).setClient("testkit")).build());
        // Generous: a bound for a broken gateway, not a timing claim (a loaded 2-core machine took over 10 s once).
        ServerFrame reply = client.next(Duration.ofSeconds(30));
        if (!reply.hasConnected()) {
            client.close();
            throw new IllegalStateException("expected Connected, got " + reply);
        }
        return client;
    }

    private static WsTestClient open(URI uri, Consumer<ServerFrame> listener, String... offered) {
        return open(HTTP, uri, listener, offered);
    }

    private static WsTestClient open(HttpClient http, URI uri, Consumer<ServerFrame> listener, String... offered) {
        WsTestClient client = new WsTestClient(listener);
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        if (offered.length > 0) {
            String[] rest = new String[offered.length - 1];
            System.arraycopy(offered, 1, rest, 0, rest.length);
            builder.subprotocols(offered[0], rest);
        }
        try {
            WebSocket ws = builder.buildAsync(uri, client.new Listener()).get(15, TimeUnit.SECONDS);
            client.negotiatedToken = ws.getSubprotocol();
            client.subprotocol = Subprotocol.ofToken(ws.getSubprotocol());
            client.handshakeStatus = 101;
            client.socket = ws;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                client.handshakeStatus = refused.getResponse().statusCode();
            } else {
                throw new IllegalStateException("cannot connect to " + uri, e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("handshake with " + uri + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return client;
    }

    /** 101 when the upgrade succeeded, otherwise the HTTP status that refused it. */
    public int handshakeStatus() {
        return handshakeStatus;
    }

    /** The encoding of the subprotocol the server selected (with or without batching), or null if none. */
    public Subprotocol subprotocol() {
        return subprotocol;
    }

    /** The exact subprotocol token the server selected, e.g. {@code switchboard.v1.proto+batch}; empty if none. */
    public String negotiatedToken() {
        return negotiatedToken == null ? "" : negotiatedToken;
    }

    /** WebSocket messages received so far: a {@code Batch} counts once, however many frames it holds. */
    public int messagesReceived() {
        return messagesReceived.get();
    }

    /** A fresh request id for this connection. */
    public int nextRequestId() {
        return requestIds.incrementAndGet();
    }

    /** Sends one frame encoded per the negotiated subprotocol and waits until it is written. */
    public void send(ClientFrame frame) {
        if (subprotocol == Subprotocol.JSON) {
            try {
                sendText(PRINTER.print(frame));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException(e);
            }
        } else {
            sendBinary(frame.toByteArray());
        }
    }

    /** Sends a raw text frame. */
    public void sendText(String text) {
        synchronized (sendLock) {
            join(requireOpen().sendText(text, true));
        }
    }

    /** Sends a raw binary frame. */
    public void sendBinary(byte[] bytes) {
        synchronized (sendLock) {
            join(requireOpen().sendBinary(ByteBuffer.wrap(bytes), true));
        }
    }

    /** Sends Subscribe and returns its request id (the reply arrives as a frame). */
    public int subscribe(String room) {
        int id = nextRequestId();
        send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(id).setRoom(room)).build());
        return id;
    }

    /** Sends Subscribe and waits for Subscribed; fails on Error. */
    public ServerFrame subscribeAndWait(String room, Duration timeout) {
        return frames.subscribed(room, subscribe(room), timeout);
    }

    /** Sends Publish with ack=true and returns its request id. */
    public int publish(String room, String id, String text) {
        int requestId = nextRequestId();
        send(ClientFrame.newBuilder().setPublish(Publish.newBuilder()
                .setRequestId(requestId).setRoom(room).setId(id)
                .setPayload(ByteString.copyFromUtf8(text)).setContentType("text/plain; charset=utf-8")
                .setAck(true)).build());
        return requestId;
    }

    /** The next frame; fails if none arrives within {@code timeout}. */
    public ServerFrame next(Duration timeout) {
        return frames.next(timeout);
    }

    /** The next frame matching {@code predicate}, discarding others; fails if none arrives within {@code timeout}. */
    public ServerFrame nextMatching(Predicate<ServerFrame> predicate, Duration timeout) {
        return frames.nextMatching(predicate, timeout);
    }

    /** The frame queued next, or null if none is queued now (does not wait). */
    public ServerFrame poll() {
        return frames.poll();
    }

    /** Waits for the server to close the connection and returns how. */
    public Closed awaitClose(Duration timeout) {
        return TestFutures.await(closed, timeout, "connection not closed");
    }

    /** Completes when the connection is closed, with how it closed. */
    public CompletableFuture<Closed> closeFuture() {
        return closed;
    }

    /** True while the connection is open (the server has not closed it). */
    public boolean isOpen() {
        return socket != null && !closed.isDone();
    }

    /** Closes the connection normally (1000) if still open; safe to call more than once. */
    @Override
    public void close() {
        WebSocket ws = socket;
        if (ws != null && !ws.isOutputClosed()) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                ws.abort();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ws.abort();
            }
        }
        if (ws != null) {
            ws.abort();
        }
    }

    /** Drops the connection without a close handshake, as a lost network would. */
    public void abort() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
        closed.complete(new Closed(1006, "aborted by the client"));
    }

    private WebSocket requireOpen() {
        return Objects.requireNonNull(socket, "not connected (handshake refused)");
    }

    private static void join(CompletableFuture<WebSocket> sent) {
        try {
            sent.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("send did not complete within 10s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void receivedMessage(ServerFrame frame) {
        messagesReceived.incrementAndGet();
        if (frame.hasBatch()) {
            frame.getBatch().getFramesList().forEach(this::received);
        } else {
            received(frame);
        }
    }

    private void received(ServerFrame frame) {
        synchronized (receiveLock) {
            if (listener != null) {
                listener.accept(frame);
            } else {
                frames.add(frame);
            }
        }
    }

    /**
     * From now on hands every received frame to {@code listener} (on the client's I/O thread) instead of
     * queueing it; frames already queued go to the listener first, in order.
     */
    public void divert(Consumer<ServerFrame> newListener) {
        Objects.requireNonNull(newListener, "listener");
        synchronized (receiveLock) {
            frames.drainTo(newListener);
            listener = newListener;
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String json = text.toString();
                text.setLength(0);
                try {
                    ServerFrame.Builder builder = ServerFrame.newBuilder();
                    PARSER.merge(json, builder);
                    receivedMessage(builder.build());
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException("server sent invalid JSON frame: " + json, e);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (last) {
                byte[] bytes = binary.toByteArray();
                binary.reset();
                try {
                    receivedMessage(ServerFrame.parseFrom(bytes));
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException("server sent invalid binary frame", e);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(new Closed(1006, String.valueOf(error)));
        }
    }
}
