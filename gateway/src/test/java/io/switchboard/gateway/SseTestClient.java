package io.switchboard.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.switchboard.eventstream.EventStreamReader;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.testkit.FrameQueue;
import io.switchboard.testkit.TestFutures;

/**
 * A client of the gateway's HTTP fallback over the JDK's HttpClient (HTTP/1.1): one GET reading the event stream line
 * by line on a thread of its own (frames, heartbeats, the close event, the end of the stream), and a POST per frame
 * with the client's token. For tests; close it (it ends the stream with DELETE and drops the GET).
 */
final class SseTestClient implements AutoCloseable {
    /** The close event's content. */
    record Closed(int code, String reason) {
    }

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    private final int status;
    private final String token;
    private final Stream<String> lines;
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final FrameQueue frames = new FrameQueue(() -> closed.isDone() ? "; stream closed: " + closed.join() : "");
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final CompletableFuture<String> streamId = new CompletableFuture<>();
    private final AtomicInteger heartbeats = new AtomicInteger();
    private final AtomicInteger requestIds = new AtomicInteger();

    private SseTestClient(URI base, String token, String origin) {
        this.base = base;
        this.token = token;
        HttpRequest.Builder get = HttpRequest.newBuilder(base).header("Accept", "text/event-stream").GET();
        if (origin != null) {
            get.header("Origin", origin);
        }
        HttpResponse<Stream<String>> response;
        try {
            response = http.send(get.build(), HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        this.status = response.statusCode();
        this.lines = response.body();
        if (status == 200) {
            Thread.ofVirtual().name("sse-test-reader").start(this::read);
        } else {
            lines.close();
            ended.complete(null);
        }
    }

    /** Opens a stream to {@code base} (the gateway's {@code /sse}); {@link #status()} tells whether it was taken. */
    static SseTestClient open(URI base, String token) {
        return new SseTestClient(base, token, null);
    }

    /** As {@link #open(URI, String)}, sending {@code Origin: origin} as a browser would. */
    static SseTestClient open(URI base, String token, String origin) {
        return new SseTestClient(base, token, origin);
    }

    /** Opens a stream, posts Connect with {@code token} and waits for Connected. */
    static SseTestClient connected(URI base, String token) {
        SseTestClient client = open(base, token);
        if (client.status() != 200) {
            throw new IllegalStateException("stream refused with HTTP " + client.status());
        }
        client.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(token).setClient("sse-test"))
                .build());
        ServerFrame reply = client.next(Duration.ofSeconds(10));
        if (!reply.hasConnected()) {
            client.close();
            throw new IllegalStateException("expected Connected, got " + reply);
        }
        return client;
    }

    private void read() {
        try {
            EventStreamReader.read(lines, new EventStreamReader.Listener() {
                @Override
                public void onEvent(String type, String data) {
                    dispatch(type, data);
                }

                @Override
                public void onComment(String comment) {
                    heartbeats.incrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            // The connection was dropped (an abort) or closed by close(): the stream has ended either way.
        } finally {
            ended.complete(null);
        }
    }

    private void dispatch(String event, String data) {
        switch (event) {
            case "open" -> streamId.complete(JsonParser.parseString(data).getAsJsonObject().get("stream").getAsString());
            case "close" -> {
                JsonObject c = JsonParser.parseString(data).getAsJsonObject();
                closed.complete(new Closed(c.get("code").getAsInt(), c.get("reason").getAsString()));
            }
            case "" -> {
                ServerFrame.Builder frame = ServerFrame.newBuilder();
                try {
                    PARSER.merge(data, frame);
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException("not a server frame: " + data, e);
                }
                frames.add(frame.build());
            }
            default -> throw new IllegalStateException("unknown event " + event);
        }
    }

    /** The GET's HTTP status. */
    int status() {
        return status;
    }

    /** The stream's id from its open event. */
    String streamId() {
        return TestFutures.await(streamId, Duration.ofSeconds(10), "no open event");
    }

    URI postUri() {
        return URI.create(base + "/" + streamId());
    }

    /** Comment lines received so far. */
    int heartbeats() {
        return heartbeats.get();
    }

    int nextRequestId() {
        return requestIds.incrementAndGet();
    }

    /** Posts {@code body} with {@code authorization} (null: none) and returns the answer. */
    HttpResponse<String> post(String body, String authorization) {
        HttpRequest.Builder post = HttpRequest.newBuilder(postUri()).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            post.header("Authorization", authorization);
        }
        try {
            return http.send(post.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Posts {@code body} with this client's token. */
    HttpResponse<String> post(String body) {
        return post(body, "Bearer " + token);
    }

    /** Posts one frame with this client's token; fails unless answered 204. */
    void send(ClientFrame frame) {
        HttpResponse<String> answer = post(json(frame));
        if (answer.statusCode() != 204) {
            throw new AssertionError("POST answered " + answer.statusCode() + ": " + answer.body());
        }
    }

    static String json(ClientFrame frame) {
        try {
            return PRINTER.print(frame);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(e);
        }
    }

    int subscribe(String room) {
        int id = nextRequestId();
        send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(id).setRoom(room)).build());
        return id;
    }

    ServerFrame subscribeAndWait(String room, Duration timeout) {
        return frames.subscribed(room, subscribe(room), timeout);
    }

    /** Posts Publish with ack=true; returns its request id. */
    int publish(String room, String id, String text) {
        int requestId = nextRequestId();
        send(ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(requestId).setRoom(room).setId(id)
                .setPayload(ByteString.copyFromUtf8(text)).setAck(true)).build());
        return requestId;
    }

    ServerFrame next(Duration timeout) {
        return frames.next(timeout);
    }

    ServerFrame nextMatching(Predicate<ServerFrame> predicate, Duration timeout) {
        return frames.nextMatching(predicate, timeout);
    }

    /** The frame queued next, or null. */
    ServerFrame poll() {
        return frames.poll();
    }

    /** Waits for the close event. */
    Closed awaitClose(Duration timeout) {
        return TestFutures.await(closed, timeout, "no close event");
    }

    /** Waits for the end of the stream (after a close event, or without one). */
    void awaitEnd(Duration timeout) {
        TestFutures.await(ended, timeout, "the stream not ended");
    }

    boolean hasEnded() {
        return ended.isDone();
    }

    /** Leaves (DELETE) while the stream is open, and drops the GET. */
    @Override
    public void close() {
        if (status == 200 && !ended.isDone() && streamId.isDone()) {
            try {
                http.send(HttpRequest.newBuilder(postUri()).timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + token).DELETE().build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (IOException e) {
                // The gateway is gone: nothing to leave.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lines.close();
        http.close();
    }
}
