package io.switchboard.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ServerFrame;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link TransportConnector} on {@link java.net.http.WebSocket} with the binary subprotocol: with batching it offers
 * {@value #BATCH_SUBPROTOCOL} first and {@value #SUBPROTOCOL} second (a gateway without batching picks the second),
 * and hands each WebSocket message to the listener as it came, a {@code Batch} included (the client unpacks it). The
 * {@link HttpClient} may be shared by many clients (one selector thread for all). Thread-safe.
 */
final class JdkWebSocketConnector implements TransportConnector {
    static final String SUBPROTOCOL = "switchboard.v1.proto";
    static final String BATCH_SUBPROTOCOL = SUBPROTOCOL + "+batch";

    private final HttpClient http;
    private final Duration connectTimeout;
    private final boolean batching;

    /** @param batching offer the batching subprotocol before the plain one */
    JdkWebSocketConnector(HttpClient http, Duration connectTimeout, boolean batching) {
        this.http = http;
        this.connectTimeout = connectTimeout;
        this.batching = batching;
    }

    @Override
    public CompletionStage<Transport> connect(URI uri, Listener listener) {
        SocketListener socketListener = new SocketListener(listener);
        WebSocket.Builder builder = http.newWebSocketBuilder();
        if (batching) {
            builder.subprotocols(BATCH_SUBPROTOCOL, SUBPROTOCOL);
        } else {
            builder.subprotocols(SUBPROTOCOL);
        }
        return builder
                .connectTimeout(connectTimeout)
                .buildAsync(uri, socketListener)
                .thenApply(ws -> socketListener.transport);
    }

    /** Adapts WebSocket callbacks: reassembles fragmented binary messages, reports the close once. */
    private static final class SocketListener implements WebSocket.Listener {
        private final Listener listener;
        private final AtomicBoolean closed = new AtomicBoolean();
        // Only touched from WebSocket callbacks, which java.net.http invokes one at a time.
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private volatile JdkTransport transport;

        SocketListener(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            transport = new JdkTransport(webSocket, this);
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            partial.writeBytes(chunk);
            if (last) {
                byte[] bytes = partial.toByteArray();
                partial.reset();
                try {
                    listener.onFrame(ServerFrame.parseFrom(bytes));
                } catch (InvalidProtocolBufferException e) {
                    // A frame we cannot parse means we no longer understand the stream: drop the connection.
                    transport.close(3502, "unparseable server frame: " + e.getMessage());
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            webSocket.request(1);
            if (last) {
                transport.close(3502, "text frame on the binary subprotocol");
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed(statusCode, reason);
            return null; // echo the close at once
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed(1006, String.valueOf(error));
        }

        void closed(int code, String reason) {
            if (closed.compareAndSet(false, true)) {
                listener.onClosed(code, reason == null ? "" : reason);
            }
        }
    }

    /** Serializes sends: java.net.http allows one outstanding send per WebSocket. */
    private static final class JdkTransport implements Transport {
        private final WebSocket socket;
        private final SocketListener events;
        private final Object lock = new Object();
        // @GuardedBy("lock")
        private final Queue<ByteBuffer> outbound = new ArrayDeque<>();
        // @GuardedBy("lock")
        private boolean sending;

        JdkTransport(WebSocket socket, SocketListener events) {
            this.socket = socket;
            this.events = events;
        }

        @Override
        public void send(ClientFrame frame) {
            ByteBuffer bytes = ByteBuffer.wrap(frame.toByteArray());
            synchronized (lock) {
                outbound.add(bytes);
                if (sending) {
                    return;
                }
                sending = true;
            }
            sendNext();
        }

        private void sendNext() {
            ByteBuffer next;
            synchronized (lock) {
                next = outbound.poll();
                if (next == null) {
                    sending = false;
                    return;
                }
            }
            CompletableFuture<WebSocket> sent = socket.sendBinary(next, true);
            sent.whenComplete((ws, error) -> {
                if (error != null) {
                    synchronized (lock) {
                        outbound.clear();
                        sending = false;
                    }
                    abort();
                } else {
                    sendNext();
                }
            });
        }

        @Override
        public void close(int code, String reason) {
            socket.sendClose(code, reason).whenComplete((ws, error) -> {
                if (error != null) {
                    abort();
                }
            });
        }

        @Override
        public void abort() {
            socket.abort();
            // abort() does not call the listener; report the loss as the network would.
            events.closed(1006, "aborted");
        }
    }
}
