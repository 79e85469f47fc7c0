package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SseConnector against a scripted gateway (a real HTTP server) and a manual scheduler: after a POST answered 400 or
 * 413 it waits a bounded time for the stream's close event, which the gateway sends and a proxy answering in its
 * stead does not (docs/protocol.md section 15); a stream it gives up without one it leaves (DELETE), once.
 */
class SseConnectorTest {
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(3);
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The DELETE that leaves the scripted stream, with the token of the connect. */
    private static final String LEAVE = "DELETE /sse/s1 Bearer token";

    private final ScriptedGateway gateway = new ScriptedGateway();
    // The DELETEs the transport sent (path and Authorization), recorded as it sends them: none can be still on its way.
    private final List<String> deletesSent = new CopyOnWriteArrayList<>();
    private final HttpClient http = new ForwardingHttpClient(HttpClient.newHttpClient()) {
        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                                                                HttpResponse.BodyHandler<T> handler) {
            if (request.method().equals("DELETE")) {
                deletesSent.add(ScriptedGateway.delete(request.uri().getPath(), request.headers().map()));
            }
            return super.sendAsync(request, handler);
        }
    };
    private final ManualScheduler scheduler = new ManualScheduler(new FakeClock(Instant.parse("2026-12-05T00:00:00Z")));
    private final List<String> closes = new CopyOnWriteArrayList<>();
    private final CompletableFuture<String> firstClose = new CompletableFuture<>();

    @BeforeEach
    void start() throws IOException {
        gateway.start();
    }

    @AfterEach
    void stop() {
        http.shutdownNow();
        gateway.stop();
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 413})
    void aRefusalWithNoCloseEventBehindItDropsTheStreamAfterTheCloseWaitHavingPostedNothingMore(int status)
            throws Exception {
        Transport stream = refused(status);
        stream.send(publish(2));

        scheduler.advance(CLOSE_WAIT.minusMillis(1));
        assertThat(closes).as("still waiting for the close event").isEmpty();
        assertThat(deletesSent).isEmpty();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(closes).containsExactly("1006 POST answered HTTP " + status + " and no close event followed within "
                + CLOSE_WAIT);
        assertThat(gateway.posts).as("POSTs: connect, then m-1, then nothing").hasSize(2);

        // The session behind a proxy's refusal is still open on the gateway: left now, not at its next heartbeat.
        await("the stream left").atMost(WAIT).until(() -> !gateway.deletes.isEmpty());
        assertThat(gateway.deletes).containsExactly(LEAVE);
        stream.close(1000, "bye");
        assertThat(deletesSent).as("left once").containsExactly(LEAVE);
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 409, 503})
    void aRefusalThatLeavesTheSessionOpenDropsTheStreamAtOnceAndLeavesIt(int status) throws Exception {
        refused(status);
        assertThat(closes).containsExactly("1006 POST answered HTTP " + status);
        assertThat(deletesSent).containsExactly(LEAVE);
        await("the stream left").atMost(WAIT).until(() -> !gateway.deletes.isEmpty());
        assertThat(gateway.deletes).containsExactly(LEAVE);
    }

    @Test
    void a404SaysTheGatewayHoldsNoSuchStreamSoItIsDroppedWithoutLeaving() throws Exception {
        refused(404);
        assertThat(closes).containsExactly("1006 POST answered HTTP 404");
        assertThat(deletesSent).isEmpty();
    }

    @Test
    void theGatewaysCloseEventAfterIts413EndsTheStreamAndCallsTheWaitOff() throws Exception {
        refused(413);
        assertThat(scheduler.pending()).as("waiting for the close event").isEqualTo(1);
        scheduler.advance(CLOSE_WAIT.minusMillis(1));

        gateway.close(1009, "message too big");
        assertThat(firstClose.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("1009 message too big");
        assertThat(scheduler.pending()).as("the wait was called off").isZero();
        scheduler.advance(CLOSE_WAIT);
        assertThat(closes).as("no 1006 after it").containsExactly("1009 message too big");
        assertThat(deletesSent).as("the gateway ended the session: nothing to leave").isEmpty();
    }

    @Test
    void closingTheTransportWhileWaitingForTheCloseEventCallsTheWaitOff() throws Exception {
        Transport stream = refused(413);
        assertThat(scheduler.pending()).as("waiting for the close event").isEqualTo(1);

        stream.close(1000, "bye");
        assertThat(firstClose.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("1000 bye");
        assertThat(scheduler.pending()).as("the wait was called off").isZero();
        scheduler.advance(CLOSE_WAIT);
        assertThat(closes).containsExactly("1000 bye");
        assertThat(deletesSent).as("left by the close, once").containsExactly(LEAVE);
        assertThat(gateway.deletes).as("answered before the close was reported").containsExactly(LEAVE);
    }

    @Test
    void theCloseWaitIsAPositiveDuration() {
        SwitchboardClient.Builder builder = SwitchboardClient.builder().url(gateway.webSocketUri())
                .tokenProvider(() -> CompletableFuture.completedFuture("token")).httpFallback(true);
        assertThatThrownBy(() -> builder.httpFallbackCloseWait(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("httpFallbackCloseWait: PT0S (expected: > 0)");
    }

    /** An open stream whose connect was taken and whose POST of m-1 was answered {@code status}, once handled. */
    private Transport refused(int status) throws Exception {
        Transport stream = new SseConnector(http, WAIT, scheduler, CLOSE_WAIT).connect(gateway.webSocketUri(),
                new TransportConnector.Listener() {
                    @Override
                    public void onFrame(ServerFrame frame) {
                    }

                    @Override
                    public void onClosed(int code, String reason) {
                        closes.add(code + " " + reason);
                        firstClose.complete(code + " " + reason);
                    }
                }).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        stream.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken("token")).build());
        await().atMost(WAIT).until(() -> gateway.answered.get() == 1);
        gateway.answers.add(status);
        stream.send(publish(1));
        // The transport handled the refusal: the wait started (or, with no wait, the stream is already gone).
        await("the refusal handled").atMost(WAIT)
                .until(() -> gateway.answered.get() == 2 && (scheduler.pending() == 1 || !closes.isEmpty()));
        return stream;
    }

    private static ClientFrame publish(int n) {
        return ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(n).setRoom("sdk:refused")
                .setId("m-" + n).setPayload(ByteString.copyFromUtf8("message " + n)).setAck(true)).build();
    }

    /**
     * The gateway's side of the fallback, scripted: one stream ("s1"), whose POSTs it records and answers with the
     * statuses it is given (204 once they run out), a close event when the test sends one, and the DELETEs it got.
     */
    private static final class ScriptedGateway {
        final Queue<Integer> answers = new ConcurrentLinkedQueue<>();
        final List<String> posts = new CopyOnWriteArrayList<>();
        final List<String> deletes = new CopyOnWriteArrayList<>();
        final AtomicInteger answered = new AtomicInteger();
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private HttpServer server;
        private volatile HttpExchange stream;

        void start() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(threads);
            server.createContext("/sse", this::handle);
            server.start();
        }

        URI webSocketUri() {
            return URI.create("ws://127.0.0.1:" + server.getAddress().getPort() + "/ws");
        }

        /** The close event, then the end of the response, as the gateway closes a session. */
        void close(int code, String reason) throws IOException {
            OutputStream body = stream.getResponseBody();
            body.write(("event: close\ndata: {\"code\":" + code + ",\"reason\":\"" + reason + "\"}\n\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.close();
        }

        void stop() {
            server.stop(0);
            threads.shutdownNow();
        }

        /** A DELETE as the tests compare them: its path and Authorization header. */
        static String delete(String path, Map<String, List<String>> headers) {
            // Both sides' header maps ignore the case of names.
            return "DELETE " + path + " " + String.join(",", headers.getOrDefault("Authorization", List.of()));
        }

        private void handle(HttpExchange exchange) throws IOException {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (method.equals("GET") && path.equals("/sse")) {
                exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
                exchange.sendResponseHeaders(200, 0);
                OutputStream body = exchange.getResponseBody();
                body.write("event: open\ndata: {\"stream\":\"s1\",\"heartbeatMs\":15000}\n\n"
                        .getBytes(StandardCharsets.UTF_8));
                body.flush();
                stream = exchange; // left open: events follow when the test says
                return;
            }
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status;
            if (method.equals("POST") && path.equals("/sse/s1")) {
                posts.add(body);
                Integer answer = answers.poll();
                status = answer != null ? answer : 204;
            } else if (method.equals("DELETE")) {
                deletes.add(delete(path, exchange.getRequestHeaders()));
                status = 204;
            } else {
                status = 404;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
            if (method.equals("POST")) {
                answered.incrementAndGet();
            }
        }
    }
}
