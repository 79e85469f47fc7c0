package io.switchboard.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.switchboard.eventstream.EventStreamReader;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ServerFrame;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * {@link TransportConnector} for the gateway's HTTP fallback (docs/protocol.md section 15), for networks that refuse
 * WebSocket upgrades: a Server-Sent Events stream ({@code GET /sse} on the gateway's host and port, {@code http} for
 * {@code ws} and {@code https} for {@code wss}) carries the server frames, and POSTs carry the client frames, both in
 * the JSON mapping. The transport posts with the token of the last Connect or RefreshToken frame it sent, one POST at
 * a time (frames queued meanwhile go together in the next); after a POST that was not taken (any answer but 204, or
 * no answer) it posts nothing more: the frames sent after it are dropped, as the ones queued behind it, and resent
 * on the next stream. A {@code close} event is the close code; a stream that ends without one is 1006, as a dropped
 * WebSocket, and so is one whose POST was answered 400 or 413 when no close event follows within the close wait (the
 * answer came from a proxy in front of the gateway, not from the gateway). A stream it gives up on its own while the
 * gateway may still hold the session it leaves with DELETE, as on close. Thread-safe.
 */
final class SseConnector implements TransportConnector {
    static final String PATH = "/sse";
    /** The default of {@link SwitchboardClient.Builder#httpFallbackCloseWait}. */
    static final Duration DEFAULT_CLOSE_WAIT = Duration.ofSeconds(5);
    /** Characters per POST body at most (frames in JSON are ASCII but for text fields): half the gateway's default max-post-bytes. */
    private static final int MAX_POST_CHARS = 512 * 1024;
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final System.Logger LOG = System.getLogger(SseConnector.class.getName());

    private final HttpClient http;
    private final Duration requestTimeout;
    private final Scheduler scheduler;
    private final Duration closeWait;

    /**
     * @param requestTimeout bounds the stream's response head and each POST
     * @param closeWait      after a POST answered 400 or 413, how long to wait for the stream's close event before
     *                       dropping the stream (1006), on {@code scheduler}
     */
    SseConnector(HttpClient http, Duration requestTimeout, Scheduler scheduler, Duration closeWait) {
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.scheduler = scheduler;
        this.closeWait = closeWait;
    }

    /** The stream's URL for a gateway's WebSocket URL: same host and port, {@value #PATH}. */
    static URI streamUri(URI webSocket) {
        String scheme = switch (webSocket.getScheme()) {
            case "wss", "https" -> "https";
            default -> "http";
        };
        try {
            return new URI(scheme, webSocket.getRawAuthority(), PATH, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url: " + webSocket, e);
        }
    }

    @Override
    public CompletionStage<Transport> connect(URI uri, Listener listener) {
        URI stream = streamUri(uri);
        HttpRequest get = HttpRequest.newBuilder(stream).timeout(requestTimeout)
                .header("Accept", "text/event-stream").GET().build();
        return http.sendAsync(get, HttpResponse.BodyHandlers.ofLines()).thenCompose(response -> {
            if (response.statusCode() != 200) {
                response.body().close();
                return CompletableFuture.failedFuture(new IOException("event stream " + stream + " refused with HTTP "
                        + response.statusCode()));
            }
            SseTransport transport = new SseTransport(stream, response.body(), listener);
            Thread.ofVirtual().name("switchboard-sse-reader").start(transport::read);
            return transport.opened;
        });
    }

    /** One stream and its POSTs. */
    private final class SseTransport implements Transport {
        private final URI stream;
        private final Stream<String> lines;
        private final Listener listener;
        private final CompletableFuture<Transport> opened = new CompletableFuture<>();
        private final AtomicBoolean closed = new AtomicBoolean();
        // Set by the one DELETE that leaves the stream (close, or giving the stream up).
        private final AtomicBoolean left = new AtomicBoolean();
        // Set when this side ends the stream (end()), which then reports the close: the reader, stopped by it, does not.
        private volatile boolean endedHere;
        private final Object lock = new Object();
        // @GuardedBy("lock")
        private final Queue<String> outbound = new ArrayDeque<>();
        // @GuardedBy("lock")
        private boolean posting;
        // @GuardedBy("lock"): a POST was refused or failed, so this stream takes no more frames. Set in the same
        // step that gives up the posting turn: a frame sent after it must not go out on this stream (through the
        // load balancer it may reach the gateway holding the stream, which would store it ahead of the refused
        // one's resend on the next stream). The client resends what was not acknowledged there, in order.
        private boolean refused;
        // @GuardedBy("lock"): the token of the last Connect or RefreshToken sent
        private String token = "";
        // @GuardedBy("lock"): the wait for the close event after a 400 or 413, while it runs
        private Scheduler.Cancellable closeEventWait;
        // Set once by the open event, before opened completes.
        private volatile URI posts;

        SseTransport(URI stream, Stream<String> lines, Listener listener) {
            this.stream = stream;
            this.lines = lines;
            this.listener = listener;
        }

        /** Reader thread: events until the stream ends (comment lines, the heartbeats, are skipped). */
        void read() {
            try {
                EventStreamReader.read(lines, this::dispatch);
            } catch (RuntimeException e) {
                // The connection failed or was dropped: reported below as an end without a close event.
            }
            opened.completeExceptionally(new IOException("event stream " + stream + " ended before it opened"));
            if (!endedHere) {
                closed(1006, "event stream ended");
            }
        }

        private void dispatch(String event, String data) {
            switch (event) {
                case "open" -> {
                    posts = URI.create(stream + "/" + object(data).getFieldsOrThrow("stream").getStringValue());
                    opened.complete(this);
                }
                case "close" -> {
                    Struct close = object(data);
                    closed((int) close.getFieldsOrThrow("code").getNumberValue(),
                            close.getFieldsOrDefault("reason", Value.getDefaultInstance()).getStringValue());
                }
                case "" -> {
                    ServerFrame.Builder frame = ServerFrame.newBuilder();
                    try {
                        PARSER.merge(data, frame);
                    } catch (InvalidProtocolBufferException e) {
                        close(3502, "unparseable server frame: " + e.getMessage());
                        return;
                    }
                    if (!closed.get()) {
                        listener.onFrame(frame.build());
                    }
                }
                default -> {
                    // An event type of a later version: ignored (docs/protocol.md section 12).
                }
            }
        }

        /** The {@code open} or {@code close} event's JSON object. */
        private static Struct object(String data) {
            Struct.Builder object = Struct.newBuilder();
            try {
                PARSER.merge(data, object);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("not a JSON object: " + data, e);
            }
            return object.build();
        }

        @Override
        public void send(ClientFrame frame) {
            String json;
            try {
                json = PRINTER.print(frame);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException("cannot print " + frame.getFrameCase(), e);
            }
            synchronized (lock) {
                if (frame.hasConnect()) {
                    token = frame.getConnect().getToken();
                } else if (frame.hasRefresh()) {
                    token = frame.getRefresh().getToken();
                }
                if (refused) {
                    return;
                }
                outbound.add(json);
                if (posting) {
                    return;
                }
                posting = true;
            }
            postNext();
        }

        /** Posts what is queued in one body (up to a size); the next POST starts when this one was answered. */
        private void postNext() {
            StringBuilder body = new StringBuilder();
            String bearer;
            synchronized (lock) {
                if (outbound.isEmpty() || closed.get() || refused) {
                    outbound.clear();
                    posting = false;
                    return;
                }
                // At most MAX_POST_CHARS per POST (a larger frame goes alone): the gateway refuses a body above
                // gateway.http-fallback.max-post-bytes (1 MiB) with 413 and closes the session, and a burst of large
                // publishes (file chunks, docs/protocol.md section 16) would pass it.
                String line;
                while ((line = outbound.peek()) != null
                        && (body.isEmpty() || body.length() + line.length() + 1 <= MAX_POST_CHARS)) {
                    body.append(outbound.poll()).append('\n');
                }
                bearer = "Bearer " + token;
            }
            HttpRequest post = HttpRequest.newBuilder(posts).timeout(requestTimeout)
                    .header("Authorization", bearer).header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
            http.sendAsync(post, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                if (error == null && response.statusCode() == 204) {
                    postNext();
                    return;
                }
                synchronized (lock) {
                    refused = true;
                    outbound.clear();
                    posting = false;
                }
                // The gateway's 400 and 413 come with a close event on the stream; anything else (404: the stream is
                // gone, 401, a failed request) leaves the transport unusable: drop it, the client reconnects. Only
                // after a 404 has the gateway no session to leave.
                if (error != null) {
                    giveUp("POST failed: " + error);
                } else if (response.statusCode() == 400 || response.statusCode() == 413) {
                    awaitCloseEvent(response.statusCode());
                } else if (response.statusCode() == 404) {
                    drop("POST answered HTTP 404");
                } else {
                    giveUp("POST answered HTTP " + response.statusCode());
                }
            });
        }

        /**
         * A 400 or 413 that came from a proxy in front of the gateway has no close event behind it, and this stream
         * takes no more POSTs: without a close event in time, it is dropped so that the client reconnects and resends
         * now rather than when its ping interval detection gives up on the stream.
         */
        private void awaitCloseEvent(int status) {
            Scheduler.Cancellable wait;
            try {
                wait = scheduler.schedule(() -> giveUp("POST answered HTTP " + status
                        + " and no close event followed within " + closeWait), closeWait);
            } catch (RejectedExecutionException e) {
                abort(); // the client closed and its scheduler is gone
                return;
            }
            synchronized (lock) {
                if (!closed.get()) {
                    closeEventWait = wait; // closed() calls it off
                    return;
                }
            }
            wait.cancel(); // closed meanwhile
        }

        @Override
        public void close(int code, String reason) {
            leave().whenComplete((response, error) -> end(code, reason));
        }

        /**
         * Leaves the stream ({@code DELETE}, with the POSTs' token), once, unless it ended already: the gateway then
         * ends the session now rather than when its heartbeat finds the stream gone (meanwhile, once the client has
         * reconnected, counting the user online twice). Best effort: completes when answered or failed.
         */
        private CompletableFuture<?> leave() {
            if (closed.get() || !left.compareAndSet(false, true)) {
                return CompletableFuture.completedFuture(null);
            }
            String bearer;
            synchronized (lock) {
                bearer = "Bearer " + token;
            }
            return http.sendAsync(HttpRequest.newBuilder(posts).timeout(requestTimeout).header("Authorization", bearer)
                            .DELETE().build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> {
                        if (error != null) {
                            LOG.log(Level.DEBUG, () -> "leaving " + posts + " failed: " + error);
                        }
                    });
        }

        /**
         * Ends a stream the gateway may still hold a session on (no close event came, no 404 said it is gone): leaves
         * it, without waiting for the answer, and drops it so that the client reconnects at once.
         */
        private void giveUp(String reason) {
            leave();
            drop(reason);
        }

        @Override
        public void abort() {
            drop("aborted");
        }

        /** Ends the stream as a dropped connection. */
        private void drop(String reason) {
            end(1006, reason);
        }

        /** Closes the stream, then reports this close (not the reader's "event stream ended"). */
        private void end(int code, String reason) {
            endedHere = true;
            lines.close();
            closed(code, reason);
        }

        private void closed(int code, String reason) {
            if (closed.compareAndSet(false, true)) {
                synchronized (lock) {
                    if (closeEventWait != null) {
                        closeEventWait.cancel();
                    }
                }
                listener.onClosed(code, reason == null ? "" : reason);
            }
        }
    }
}
