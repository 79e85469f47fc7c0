package io.switchboard.gateway;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import io.switchboard.gateway.sse.SseKeys;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.Ping;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.testkit.HttpHead;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP fallback end to end, over the JDK's HTTP client against a real gateway (embedded Kafka, fake router and
 * history): the same session semantics as a WebSocket (connect, subscribe, acknowledged publish, own message, resume
 * without gap or duplicate), heartbeats, and every documented refusal.
 */
class SseTransportTest {
    private static final int MAX_FRAME_BYTES = 4096;
    private static final int MAX_POST_BYTES = 16_384;
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> c.set(SseKeys.HEARTBEAT_INTERVAL, Duration.ofMillis(200))
                .set(GatewayKeys.MAX_FRAME_BYTES, MAX_FRAME_BYTES)
                .set(GatewayKeys.MAX_PAYLOAD_BYTES, 2048)
                .set(GatewayKeys.MAX_EPHEMERAL_BYTES, 1024)
                .set(SseKeys.MAX_POST_BYTES, MAX_POST_BYTES));
    }

    private static URI sse() {
        return h.httpUri("/sse");
    }

    @Test
    void connectsSubscribesPublishesWithAckAndReceivesItsOwnMessageAndTheWebSocketsToo() throws Exception {
        String room = "sse:chat";
        try (SseTestClient alice = SseTestClient.connected(sse(), h.token("alice"));
             WsTestClient bob = h.connect(Subprotocol.PROTO, "bob")) {
            assertThat(alice.streamId()).hasSize(22);
            await().atMost(WAIT).until(() -> h.metric("gateway_connections_by_transport{transport=\"sse\"}") == 1);
            assertThat(h.metric("gateway_connections_by_transport{transport=\"websocket\"}")).isEqualTo(1);
            Subscribed subscribed = alice.subscribeAndWait(room, WAIT).getSubscribed();
            assertThat(subscribed.getRoom()).isEqualTo(room);
            bob.subscribeAndWait(room, WAIT);

            int rid = alice.publish(room, "a-1", "hello from a stream");
            // The ack and the room's message may arrive in either order.
            Ack a = null;
            Message own = null;
            while (a == null || own == null) {
                ServerFrame f = alice.next(WAIT);
                assertThat(f.hasAck() || f.hasMessage()).as(f.toString()).isTrue();
                if (f.hasAck()) {
                    a = f.getAck();
                } else {
                    own = f.getMessage();
                }
            }
            assertThat(a.getRequestId()).isEqualTo(rid);
            assertThat(a.getId()).isEqualTo("a-1");
            assertThat(own.getId()).isEqualTo("a-1");
            assertThat(own.getSender()).isEqualTo("alice");
            assertThat(own.getPosition()).isEqualTo(a.getPosition());
            assertThat(own.getPayload().toStringUtf8()).isEqualTo("hello from a stream");
            Message atBob = bob.nextMatching(ServerFrame::hasMessage, WAIT).getMessage();
            assertThat(atBob.getPosition()).isEqualTo(a.getPosition());

            // And the other way round: a WebSocket's message reaches the stream.
            int bobRid = bob.publish(room, "b-1", "hello from a socket");
            long bobPosition = bob.nextMatching(f -> f.hasAck() && f.getAck().getRequestId() == bobRid, WAIT)
                    .getAck().getPosition();
            Message fromBob = alice.nextMatching(ServerFrame::hasMessage, WAIT).getMessage();
            assertThat(fromBob.getSender()).isEqualTo("bob");
            assertThat(fromBob.getPosition()).isEqualTo(bobPosition);
        }
    }

    @Test
    void severalFramesInOnePostAreReadInOrder() {
        try (SseTestClient c = SseTestClient.connected(sse(), h.token("carol"))) {
            StringBuilder body = new StringBuilder();
            for (int i = 1; i <= 3; i++) {
                body.append(SseTestClient.json(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(i))
                        .build())).append("\r\n\n");
            }
            assertThat(c.post(body.toString()).statusCode()).isEqualTo(204);
            List<Long> nonces = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                nonces.add(c.nextMatching(ServerFrame::hasPong, WAIT).getPong().getNonce());
            }
            assertThat(nonces).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void resumesOnANewStreamWithNoGapAndNoDuplicate() {
        String room = "sse:resume";
        List<Long> all = new ArrayList<>();
        long lastSeen;
        String epoch;
        try (WsTestClient pub = h.connect(Subprotocol.PROTO, "pub")) {
            try (SseTestClient first = SseTestClient.connected(sse(), h.token("reader"))) {
                epoch = first.subscribeAndWait(room, WAIT).getSubscribed().getEpoch();
                all.addAll(ResumeTest.publish(pub, room, "before", 3));
                List<Long> got = receive(first, all.getLast());
                assertThat(got).containsExactlyElementsOf(all);
                lastSeen = got.getLast();
            }
            // Stored while the reader had no stream.
            List<Long> missed = ResumeTest.publish(pub, room, "missed", 4);
            all.addAll(missed);
            try (SseTestClient second = SseTestClient.connected(sse(), h.token("reader"))) {
                int rid = second.nextRequestId();
                second.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(rid).setRoom(room)
                        .setResumeFrom(ResumeFrom.newBuilder().setNextPosition(lastSeen + 1).setEpoch(epoch))).build());
                Subscribed s = second.nextMatching(f -> f.hasSubscribed() || f.hasError(), WAIT).getSubscribed();
                assertThat(s.getRecovered()).isTrue();
                assertThat(s.getReplayed()).isEqualTo(4);
                List<Long> live = ResumeTest.publish(pub, room, "after", 2);
                all.addAll(live);
                assertThat(receive(second, live.getLast())).containsExactlyElementsOf(all.subList(3, all.size()));
            }
        }
    }

    /**
     * A POST that arrives while another POST of the same stream is still being read (its body still arriving) is
     * refused with 409 and reaches no session; the one being read is handled whole, and the stream stays usable.
     */
    @Test
    void aPostWhileAnotherOfTheStreamIsBeingReadIs409AndReachesNoSession() throws Exception {
        try (SseTestClient c = SseTestClient.connected(sse(), h.token("olga"));
             Socket slow = new Socket(c.postUri().getHost(), c.postUri().getPort())) {
            slow.setSoTimeout((int) WAIT.toMillis());
            String first = ping(100) + "\n";
            String rest = ping(101) + "\n";
            byte[] head = ("POST " + c.postUri().getRawPath() + " HTTP/1.1\r\nHost: " + c.postUri().getRawAuthority()
                    + "\r\nAuthorization: Bearer " + h.token("olga") + "\r\nContent-Type: application/x-ndjson\r\n"
                    + "Content-Length: " + (first.length() + rest.length()) + "\r\n\r\n" + first)
                    .getBytes(StandardCharsets.US_ASCII);
            slow.getOutputStream().write(head);
            slow.getOutputStream().flush();

            // Until the gateway reads the slow POST's body, other POSTs of the stream pass (and are answered).
            List<Long> passed = new ArrayList<>();
            AtomicLong nonce = new AtomicLong();
            await().atMost(WAIT).until(() -> {
                long n = nonce.incrementAndGet();
                int status = c.post(ping(n)).statusCode();
                if (status == 204) {
                    passed.add(n);
                }
                return status == 409;
            });
            long refused = nonce.get();

            slow.getOutputStream().write(rest.getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
            assertThat(HttpHead.read(slow.getInputStream())).startsWith("HTTP/1.1 204");
            long after = refused + 1;
            assertThat(c.post(ping(after)).statusCode()).as("the stream after the refusal").isEqualTo(204);

            List<Long> expected = new ArrayList<>(passed);
            expected.addAll(List.of(100L, 101L, after));
            List<Long> pongs = new ArrayList<>();
            while (pongs.size() < expected.size()) {
                pongs.add(c.nextMatching(ServerFrame::hasPong, WAIT).getPong().getNonce());
            }
            assertThat(pongs).as("pongs (the refused ping was %d)", refused).containsExactlyElementsOf(expected);
        }
    }

    /**
     * A client posts its next POST as soon as the previous one is answered, here on another connection each time (as
     * a browser's connection pool may): none is refused with 409, because the gateway ends a POST's turn before it
     * answers, and the frames arrive in the order posted.
     */
    @Test
    void aPostSentAsSoonAsThePreviousIsAnsweredIsNeverRefused() throws Exception {
        int posts = 1000;
        try (SseTestClient c = SseTestClient.connected(sse(), h.token("pat"));
             Socket one = new Socket(c.postUri().getHost(), c.postUri().getPort());
             Socket two = new Socket(c.postUri().getHost(), c.postUri().getPort())) {
            one.setSoTimeout((int) WAIT.toMillis());
            two.setSoTimeout((int) WAIT.toMillis());
            for (int n = 1; n <= posts; n++) {
                Socket via = n % 2 == 0 ? two : one;
                String body = ping(n);
                via.getOutputStream().write(("POST " + c.postUri().getRawPath() + " HTTP/1.1\r\nHost: "
                        + c.postUri().getRawAuthority() + "\r\nAuthorization: Bearer " + h.token("pat")
                        + "\r\nContent-Type: application/x-ndjson\r\nContent-Length: " + body.length() + "\r\n\r\n"
                        + body).getBytes(StandardCharsets.US_ASCII));
                via.getOutputStream().flush();
                assertThat(HttpHead.read(via.getInputStream())).as("the answer to POST %d", n)
                        .startsWith("HTTP/1.1 204");
            }
            List<Long> pongs = new ArrayList<>();
            while (pongs.size() < posts) {
                pongs.add(c.nextMatching(ServerFrame::hasPong, WAIT).getPong().getNonce());
            }
            assertThat(pongs).isEqualTo(LongStream.rangeClosed(1, posts).boxed().toList());
        }
    }

    private static String ping(long nonce) {
        return SseTestClient.json(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(nonce)).build());
    }

    @Test
    void heartbeatsKeepAQuietStreamBusy() {
        try (SseTestClient c = SseTestClient.connected(sse(), h.token("quiet"))) {
            await().atMost(WAIT).until(() -> c.heartbeats() >= 3);
            assertThat(c.poll()).as("heartbeats are not frames").isNull();
        }
    }

    @Test
    void aPostToAnUnknownStreamIs404AndAStreamIsGoneOnceClosed() throws Exception {
        HttpResponse<String> unknown = h.postTo(sse() + "/AAAAAAAAAAAAAAAAAAAAAA", "{\"ping\":{}}",
                "Bearer " + h.token("x"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        SseTestClient c = SseTestClient.connected(sse(), h.token("leaver"));
        URI post = c.postUri();
        c.close();
        await().atMost(WAIT).until(() -> h.postTo(post.toString(), "{\"ping\":{}}", "Bearer " + h.token("leaver"))
                .statusCode() == 404);
    }

    @Test
    void postsNeedTheTokenOfTheStreamsUser() {
        try (SseTestClient c = SseTestClient.connected(sse(), h.token("dave"))) {
            String ping = "{\"ping\":{\"nonce\":\"7\"}}";
            HttpResponse<String> none = c.post(ping, null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(c.post(ping, "Bearer not-a-jwt").statusCode()).isEqualTo(401);
            assertThat(c.post(ping, "Bearer " + h.token("eve")).statusCode()).isEqualTo(403);
            assertThat(c.poll()).as("refused posts reach no session").isNull();
            assertThat(c.post(ping).statusCode()).isEqualTo(204);
            assertThat(c.nextMatching(ServerFrame::hasPong, WAIT).getPong().getNonce()).isEqualTo(7);
        }
    }

    @Test
    void invalidJsonClosesTheStreamWithProtocolError() {
        try (SseTestClient c = SseTestClient.connected(sse(), h.token("frank"))) {
            assertThat(c.post("{\"ping\":").statusCode()).isEqualTo(400);
            SseTestClient.Closed closed = c.awaitClose(WAIT);
            assertThat(closed.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR_VALUE);
            assertThat(closed.reason()).contains("malformed JSON");
            c.awaitEnd(WAIT);
        }
    }

    @Test
    void aFrameBeforeConnectClosesTheStreamWithProtocolError() {
        try (SseTestClient c = SseTestClient.open(sse(), h.token("grace"))) {
            assertThat(c.post("{\"ping\":{}}").statusCode()).isEqualTo(204);
            assertThat(c.awaitClose(WAIT).code()).isEqualTo(ErrorCode.PROTOCOL_ERROR_VALUE);
            c.awaitEnd(WAIT);
        }
    }

    @Test
    void anOversizedPostIs413AndClosesTheStreamWith1009() {
        try (SseTestClient c = SseTestClient.connected(sse(), h.token("heidi"))) {
            assertThat(c.post("x".repeat(MAX_POST_BYTES + 1)).statusCode()).isEqualTo(413);
            assertThat(c.awaitClose(WAIT).code()).isEqualTo(ErrorCode.CLOSE_MESSAGE_TOO_BIG_VALUE);
            c.awaitEnd(WAIT);
        }
        try (SseTestClient c = SseTestClient.connected(sse(), h.token("ivan"))) {
            String frame = "{\"ping\":{\"nonce\":\"1\"}}" + " ".repeat(MAX_FRAME_BYTES);
            assertThat(c.post(frame).statusCode()).isEqualTo(413);
            assertThat(c.awaitClose(WAIT).code()).isEqualTo(ErrorCode.CLOSE_MESSAGE_TOO_BIG_VALUE);
        }
    }

    @Test
    void invalidUtf8Closes1007() {
        try (SseTestClient c = SseTestClient.connected(sse(), h.token("judy"))) {
            HttpResponse<String> answer = h.postBytes(c.postUri(), new byte[] {'{', (byte) 0xC3, '}'},
                    "Bearer " + h.token("judy"));
            assertThat(answer.statusCode()).isEqualTo(400);
            assertThat(c.awaitClose(WAIT).code()).isEqualTo(ErrorCode.CLOSE_INVALID_PAYLOAD_VALUE);
        }
    }

    @Test
    void originsFollowTheUpgradesSameOriginRule() {
        String own = "http://127.0.0.1:" + h.gateway.port();
        try (SseTestClient same = SseTestClient.open(sse(), h.token("kim"), own);
             SseTestClient other = SseTestClient.open(sse(), h.token("kim"), "https://evil.example.com")) {
            assertThat(same.status()).isEqualTo(200);
            assertThat(other.status()).isEqualTo(403);
        }
    }

    /** Message positions received on {@code c} up to {@code last}, failing on anything but messages and acks. */
    private static List<Long> receive(SseTestClient c, long last) {
        List<Long> out = new ArrayList<>();
        while (out.isEmpty() || out.getLast() < last) {
            ServerFrame f = c.next(WAIT);
            if (!f.hasAck()) {
                assertThat(f.hasMessage()).as("unexpected frame " + f).isTrue();
                out.add(f.getMessage().getPosition());
            }
        }
        return out;
    }
}
