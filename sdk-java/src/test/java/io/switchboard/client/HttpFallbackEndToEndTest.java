package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.testkit.TestTokens;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client over the gateway's HTTP fallback (Server-Sent Events and POSTs) against a real platform, next to a
 * WebSocket client in the same room: acknowledged publishes, its own messages, and a dropped stream resumed exactly
 * once in order.
 */
class HttpFallbackEndToEndTest {
    private static final String SECRET = "sdk-java-sse-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static LocalCluster cluster;
    private static ScheduledExecutorService scheduler;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.builder().history(true).set("gateway.auth.hs256-secret", SECRET).build().start();
        scheduler = Executors.newScheduledThreadPool(1);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (scheduler != null) {
                scheduler.shutdownNow();
            }
            if (http != null) {
                http.shutdownNow();
            }
        }
    }

    private static SwitchboardClient.Builder builder(String user) {
        return SwitchboardClient.builder()
                .url(cluster.webSocketUri(0))
                .tokenProvider(() -> CompletableFuture.completedFuture(TOKENS.token(user, "sdk:*")))
                .scheduler(scheduler)
                .httpClient(http)
                .backoffInitial(Duration.ofMillis(200))
                .backoffMax(Duration.ofSeconds(2));
    }

    private static String text(Message message) {
        return message.getPayload().toString(StandardCharsets.UTF_8);
    }

    @Test
    void aFallbackClientPublishesWithAcksAndSeesItsOwnAndTheWebSocketsMessages() throws Exception {
        String room = "sdk:sse";
        List<String> streamSees = new CopyOnWriteArrayList<>();
        List<String> socketSees = new CopyOnWriteArrayList<>();
        try (SwitchboardClient stream = builder("sam").httpFallback(true).build();
             SwitchboardClient socket = builder("wes").build()) {
            stream.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            socket.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            stream.subscribe(room, m -> streamSees.add(text(m))).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            socket.subscribe(room, m -> socketSees.add(text(m))).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);

            Ack first = stream.publish(room, "from-stream".getBytes(StandardCharsets.UTF_8))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Ack second = socket.publish(room, "from-socket".getBytes(StandardCharsets.UTF_8))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(second.getPosition()).isGreaterThan(first.getPosition());
            await().atMost(WAIT).until(() -> streamSees.size() == 2 && socketSees.size() == 2);
            assertThat(streamSees).containsExactly("from-stream", "from-socket");
            assertThat(socketSees).containsExactly("from-stream", "from-socket");
        }
    }

    @Test
    void aDroppedStreamIsResumedOnANewOneExactlyOnceInOrder() throws Exception {
        String room = "sdk:sse-resume";
        List<String> seen = new CopyOnWriteArrayList<>();
        CuttableConnector streams = new CuttableConnector(new SseConnector(http, Duration.ofSeconds(10)));
        try (SwitchboardClient publisher = builder("pat").build();
             SwitchboardClient reader = builder("rae").transportConnector(streams).build()) {
            publisher.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            reader.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            reader.subscribe(room, m -> seen.add(text(m))).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                sent.add(publish(publisher, room, "before-" + i));
            }
            await().atMost(WAIT).until(() -> seen.size() == 3);

            streams.cut();
            for (int i = 0; i < 5; i++) {
                sent.add(publish(publisher, room, "during-" + i));
            }
            await().atMost(WAIT).until(() -> seen.size() >= sent.size()
                    && reader.state() == ConnectionState.CONNECTED);
            sent.add(publish(publisher, room, "after"));
            await().atMost(WAIT).until(() -> seen.size() >= sent.size());
            assertThat(seen).containsExactlyElementsOf(sent);
        }
    }

    private static String publish(SwitchboardClient c, String room, String body) throws Exception {
        c.publish(room, body.getBytes(StandardCharsets.UTF_8)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return body;
    }
}
