package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.TestTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP fallback's POSTs behind a load balancer that routes them by client address: when a gateway comes back, a
 * stream's POST may reach it instead of the gateway holding the stream, and is answered 404. Nothing the client sends
 * after that may go out on the old stream (a later POST may reach the right gateway and be stored ahead of the
 * refused publish's resend on the next stream): against a real gateway, with a POST sent to a stream id it does not
 * hold standing for the misrouted one. And the gateway's own 413 still ends in its close event (1009), not in the
 * 1006 the transport ends a stream with when no close event follows a 400 or 413 in time.
 */
class SseRefusedPostTest {
    private static final String SECRET = "sdk-java-sse-refused-secret-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @AutoClose
    private static LocalCluster cluster;
    @AutoClose("shutdownNow")
    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void start() {
        cluster = LocalCluster.builder().set("gateway.auth.hs256-secret", SECRET).build().start();
    }

    private final MisroutingHttp http = new MisroutingHttp(HttpClient.newHttpClient());
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private Transport stream;

    /** A stream whose session is connected (as pam), its close code completing {@link #closed}. */
    @BeforeEach
    void connect() throws Exception {
        BlockingQueue<ServerFrame> frames = new LinkedBlockingQueue<>();
        stream = new SseConnector(http, Duration.ofSeconds(10), Scheduler.of(TIMERS), SseConnector.DEFAULT_CLOSE_WAIT)
                .connect(cluster.webSocketUri(0), new TransportConnector.Listener() {
                    @Override
                    public void onFrame(ServerFrame frame) {
                        frames.add(frame);
                    }

                    @Override
                    public void onClosed(int code, String reason) {
                        closed.complete(code);
                    }
                }).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        String token = TestTokens.hs256(SECRET).token("pam", "sdk:*");
        stream.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(token)).build());
        assertThat(frames.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).matches(ServerFrame::hasConnected);
    }

    @AfterEach
    void abort() {
        if (stream != null) {
            stream.abort();
        }
    }

    @Test
    void afterARefusedPostAFrameSentWhileTheRefusalIsHandledNeverGoesOutOnTheStream() throws Exception {
        // m-2 is sent while the transport handles m-1's 404 (another thread's send, at the worst moment).
        http.misrouteNextPost();
        http.whileTheStreamCloses(() -> stream.send(publish(2)));
        stream.send(publish(1));

        assertThat(closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1006);
        assertThat(http.whileClosingRan()).as("the send ran while the 404 was handled").isTrue();
        assertThat(http.posts()).as("POSTs: connect, then m-1 (answered 404), then nothing").containsExactly(204, 404);
    }

    @Test
    void theGatewaysOwn413EndsInItsCloseEventNotInTheDropAfterTheCloseWait() throws Exception {
        // A line above limits.maxFrameBytes (128 KiB by default): the gateway answers 413 and closes 1009.
        stream.send(publish(1, "x".repeat(200_000)));
        stream.send(publish(2, "sent behind the oversized one"));

        assertThat(closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1009);
        assertThat(http.posts()).as("POSTs: connect, then the oversized frame, then nothing")
                .containsExactly(204, 413);
    }

    private static ClientFrame publish(int n) {
        return publish(n, "message " + n);
    }

    private static ClientFrame publish(int n, String text) {
        return ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(n).setRoom("sdk:refused")
                .setId("m-" + n).setPayload(ByteString.copyFromUtf8(text)).setAck(true)).build();
    }

    /**
     * A real HTTP client that, when told, sends the next POST to a stream id no gateway holds (as a load balancer
     * sending it to the wrong gateway), runs a hook when the event stream's body is closed, and records the status of
     * every POST (or -1 for one still unanswered).
     */
    private static final class MisroutingHttp extends ForwardingHttpClient {
        private final AtomicBoolean misroute = new AtomicBoolean();
        private final AtomicReference<Runnable> onStreamClose = new AtomicReference<>();
        private final AtomicBoolean hookRan = new AtomicBoolean();
        private final List<CompletableFuture<Integer>> posts = new CopyOnWriteArrayList<>();

        MisroutingHttp(HttpClient http) {
            super(http);
        }

        void misrouteNextPost() {
            misroute.set(true);
        }

        void whileTheStreamCloses(Runnable hook) {
            onStreamClose.set(hook);
        }

        boolean whileClosingRan() {
            return hookRan.get();
        }

        /** The status of each POST sent so far, once answered. */
        List<Integer> posts() throws Exception {
            List<Integer> statuses = new java.util.ArrayList<>();
            for (CompletableFuture<Integer> post : posts) {
                statuses.add(post.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
            return statuses;
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                                                                HttpResponse.BodyHandler<T> handler) {
            if (request.method().equals("POST")) {
                HttpRequest sent = request;
                if (misroute.getAndSet(false)) {
                    URI uri = request.uri();
                    sent = HttpRequest.newBuilder(request, (name, value) -> true)
                            .uri(uri.resolve(SseConnector.PATH + "/AAAAAAAAAAAAAAAAAAAAAA")).build();
                }
                CompletableFuture<HttpResponse<T>> response = super.sendAsync(sent, handler);
                posts.add(response.thenApply(HttpResponse::statusCode));
                return response;
            }
            return super.sendAsync(request, handler).thenApply(response -> {
                if (response.body() instanceof Stream<?> lines) {
                    // The hook runs before the stream itself closes (which ends its reader, and the transport).
                    Stream<?> hookFirst = Stream.empty().onClose(() -> {
                        Runnable hook = onStreamClose.getAndSet(null);
                        if (hook != null) {
                            hook.run();
                            hookRan.set(true);
                        }
                    });
                    @SuppressWarnings("unchecked")
                    T hooked = (T) Stream.concat(hookFirst, lines);
                    return new WithBody<>(response, hooked);
                }
                return response;
            });
        }
    }

    /** {@code response} with another body. */
    private record WithBody<T>(HttpResponse<?> response, T body) implements HttpResponse<T> {
        @Override
        public int statusCode() {
            return response.statusCode();
        }

        @Override
        public HttpRequest request() {
            return response.request();
        }

        @Override
        public Optional<HttpResponse<T>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public HttpHeaders headers() {
            return response.headers();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return response.sslSession();
        }

        @Override
        public URI uri() {
            return response.uri();
        }

        @Override
        public HttpClient.Version version() {
            return response.version();
        }
    }
}
