package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Drain;
import io.switchboard.proto.client.v1.EphemeralEvent;
import io.switchboard.proto.client.v1.Error;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.PresencePage;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.proto.client.v1.Unsubscribed;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The client against a fake transport, on a manual scheduler and a fake clock: no real time, no sockets. */
class SwitchboardClientTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final long SEED = 7;

    private final FakeClock clock = new FakeClock(T0);
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final FakeConnector server = new FakeConnector(clock);
    private final List<String> tokensIssued = new ArrayList<>();
    private final List<SwitchboardException> errors = new ArrayList<>();
    private Duration tokenLifetime = Duration.ofHours(1);
    @AutoClose
    private SwitchboardClient client;

    /** {@link #onFakeServer}'s client, with a token provider that records its tokens and uses {@code tokenLifetime}. */
    private SwitchboardClient.Builder builder() {
        return onFakeServer(clock, scheduler, server)
                .tokenProvider(() -> {
                    String token = jwt(tokensIssued.size() + 1, clock.instant().plus(tokenLifetime));
                    tokensIssued.add(token);
                    return CompletableFuture.completedFuture(token);
                });
    }

    private SwitchboardClient start(SwitchboardClient.Builder builder) {
        client = builder.build();
        client.addErrorListener(errors::add);
        client.connect();
        return client;
    }

    /**
     * A client of the fake gateway {@code server} on a manual clock and scheduler, with a fresh token, a fixed seed,
     * short backoff and no pings: what the other fake-server tests start from.
     */
    static SwitchboardClient.Builder onFakeServer(FakeClock clock, ManualScheduler scheduler, FakeConnector server) {
        return SwitchboardClient.builder()
                .url("ws://gateway.test/ws")
                .tokenProvider(() -> CompletableFuture.completedFuture(jwt(1, clock.instant().plus(Duration.ofHours(1)))))
                .clock(clock)
                .scheduler(scheduler)
                .transportConnector(server)
                .random(new SplittableRandom(SEED))
                .backoffInitial(Duration.ofMillis(100))
                .backoffMax(Duration.ofSeconds(1))
                .pingInterval(Duration.ofHours(1)); // the fake server does not answer pings unless a test says so
    }

    static String jwt(int serial, Instant exp) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String payload = "{\"sub\":\"u\",\"n\":" + serial + ",\"exp\":" + exp.getEpochSecond() + "}";
        return b64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + ".sig";
    }

    /** A retriable UNAVAILABLE answer to {@code publish} (say, the router refused it behind a failed one). */
    private static ServerFrame unavailable(ClientFrame publish) {
        return ServerFrame.newBuilder().setError(Error.newBuilder().setRequestId(publish.getPublish().getRequestId())
                .setCode(ErrorCode.UNAVAILABLE).setRetriable(true)).build();
    }

    private static ServerFrame ack(ClientFrame publish, long position, boolean duplicate) {
        Publish p = publish.getPublish();
        return ServerFrame.newBuilder().setAck(Ack.newBuilder().setRequestId(p.getRequestId()).setRoom(p.getRoom()).setId(p.getId())
                .setPosition(position).setEpoch("t:0").setDuplicate(duplicate)).build();
    }

    private static ServerFrame subscribed(ClientFrame subscribe, long next, int replayed, boolean recovered) {
        Subscribe s = subscribe.getSubscribe();
        return ServerFrame.newBuilder().setSubscribed(Subscribed.newBuilder().setRequestId(s.getRequestId()).setRoom(s.getRoom())
                .setEpoch("t:0").setNextPosition(next).setReplayed(replayed).setRecovered(recovered)
                .setRecoveryFailure(recovered ? RecoveryFailure.RECOVERY_FAILURE_UNSPECIFIED : RecoveryFailure.POSITION_EXPIRED)).build();
    }

    private static ServerFrame message(String room, long position) {
        return ServerFrame.newBuilder().setMessage(Message.newBuilder().setRoom(room).setPosition(position).setEpoch("t:0")
                .setId("m" + position).setSender("bob").setPayload(ByteString.copyFromUtf8("p" + position))).build();
    }

    private static List<String> publishedIds(FakeConnector.FakeTransport transport) {
        return transport.sent(ClientFrame::hasPublish).stream().map(f -> f.getPublish().getId()).toList();
    }

    /** The cause a future already failed with; the other fake-transport tests use it too. */
    static Throwable failure(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        try {
            future.get(0, TimeUnit.SECONDS);
            throw new AssertionError("not failed");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void connectsWithTheProvidersTokenAndReportsStates() {
        List<StateChange> changes = new ArrayList<>();
        client = builder().build();
        client.addStateListener(changes::add);
        CompletableFuture<Void> connected = client.connect();
        assertThat(client.state()).isEqualTo(ConnectionState.CONNECTING);
        assertThat(server.current().sent.get(0).getConnect().getToken()).isEqualTo(tokensIssued.get(0));
        assertThat(connected).isNotDone();
        server.current().accept();
        assertThat(connected).isCompleted();
        assertThat(changes).extracting(StateChange::current).containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED);
        assertThat(client.connect()).isCompletedExceptionally(); // double start fails
    }

    @Test
    void backoffFollowsTheSeededFullJitterSequenceUpToTheCap() {
        server.refuse = true;
        start(builder());
        scheduler.advance(Duration.ofSeconds(30));
        assertThat(client.state()).isEqualTo(ConnectionState.RECONNECTING);

        SplittableRandom random = new SplittableRandom(SEED);
        long[] capsMillis = {100, 200, 400, 800, 1000, 1000, 1000};
        for (int n = 0; n < capsMillis.length; n++) {
            Duration expected = Duration.ofNanos(random.nextLong(TimeUnit.MILLISECONDS.toNanos(capsMillis[n]) + 1));
            Duration actual = Duration.between(server.attempts.get(n), server.attempts.get(n + 1));
            assertThat(actual).as("delay before attempt %d", n + 1).isEqualTo(expected);
        }
    }

    @Test
    void aSuccessfulConnectResetsTheBackoff() {
        server.refuse = true;
        start(builder());
        scheduler.advance(Duration.ofSeconds(10)); // many failures: caps are at the maximum
        server.refuse = false;
        scheduler.advance(Duration.ofSeconds(2));
        server.current().accept();
        int before = server.attempts.size();
        Instant lostAt = clock.instant();
        server.current().serverCloses(1006);
        scheduler.advance(Duration.ofMillis(100)); // the first cap again
        assertThat(server.attempts).hasSize(before + 1);
        assertThat(Duration.between(lostAt, server.attempts.get(before))).isLessThanOrEqualTo(Duration.ofMillis(100));
    }

    @ParameterizedTest(name = "close {0} -> reconnect {1}")
    @CsvSource({
            "1001, true", "1006, true", "1011, true", "3000, true", "3001, true", "3002, true", "3003, true", "3499, true",
            "3501, true",
            "1002, false", "1007, false", "1009, false", "3500, false", "3502, false", "3503, false", "3999, false", "4000, false", "4999, false"})
    void closeCodeTable(int code, boolean reconnects) {
        start(builder());
        server.current().accept();
        server.current().serverCloses(code);
        scheduler.advance(Duration.ofSeconds(2));
        if (reconnects) {
            assertThat(server.attempts).hasSize(2);
            server.current().accept();
            assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
            assertThat(errors).isEmpty();
        } else {
            scheduler.advance(Duration.ofMinutes(5));
            assertThat(server.attempts).hasSize(1);
            assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
            assertThat(errors).extracting(SwitchboardException::code).containsExactly(code);
        }
    }

    @Test
    void tokenExpiredFetchesANewTokenBeforeReconnecting() {
        start(builder());
        server.current().accept();
        scheduler.advance(Duration.ofSeconds(1));
        server.current().serverCloses(1006);
        scheduler.advance(Duration.ofSeconds(2));
        assertThat(tokensIssued).hasSize(1); // an ordinary loss reuses the cached token
        server.current().accept();

        server.current().serverCloses(3501);
        scheduler.advance(Duration.ofSeconds(2));
        assertThat(tokensIssued).hasSize(2);
        assertThat(server.current().sent.get(0).getConnect().getToken()).isEqualTo(tokensIssued.get(1));
    }

    @Test
    void drainSpreadsTheReconnectWithinTheHint() {
        // A backoff this long would not fit in the drain window: the drain hint decides.
        start(builder().backoffInitial(Duration.ofMinutes(1)).backoffMax(Duration.ofMinutes(1)));
        server.current().accept();
        server.current().server(ServerFrame.newBuilder().setDrain(Drain.newBuilder().setReconnectWithinMs(5000)).build());
        server.current().serverCloses(3000);
        scheduler.advance(Duration.ofSeconds(5));
        assertThat(server.attempts).hasSize(2);
        Duration expected = Duration.ofNanos(new SplittableRandom(SEED).nextLong(Duration.ofSeconds(5).toNanos()));
        assertThat(Duration.between(server.attempts.get(0), server.attempts.get(1))).isEqualTo(expected);
    }

    @Test
    void noConnectedInTimeDropsTheConnectionAndRetries() {
        start(builder().connectTimeout(Duration.ofSeconds(3)));
        scheduler.advance(Duration.ofSeconds(3));
        assertThat(client.state()).isEqualTo(ConnectionState.RECONNECTING);
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(server.attempts).hasSize(2);
    }

    @Test
    void pingsWhenIdleAndDropsALinkThatStaysSilent() {
        start(builder().pingInterval(Duration.ofSeconds(25)));
        server.current().accept();
        scheduler.advance(Duration.ofSeconds(25));
        ClientFrame ping = server.current().last(ClientFrame::hasPing);
        server.current().server(ServerFrame.newBuilder().setPong(io.switchboard.proto.client.v1.Pong.newBuilder()
                .setNonce(ping.getPing().getNonce())).build());
        scheduler.advance(Duration.ofSeconds(25)); // 50 s: silent for one interval, a ping that is never answered
        assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
        scheduler.advance(Duration.ofSeconds(25)); // 75 s: silent for two intervals
        assertThat(client.state()).isEqualTo(ConnectionState.RECONNECTING);
        assertThat(server.transports.get(0).sent(ClientFrame::hasPing)).hasSize(2);
    }

    @Test
    void publishesQueuedOfflineGoOutOnConnectAndAreResentWithTheSameIdsAfterALoss() {
        start(builder());
        List<CompletableFuture<Ack>> acks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            acks.add(client.publish("room", ("m" + i).getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(publishedIds(server.current())).isEmpty(); // not authenticated yet
        server.current().accept();
        List<String> ids = publishedIds(server.current());
        assertThat(ids).hasSize(3).doesNotHaveDuplicates();
        server.current().server(ack(server.current().sent(ClientFrame::hasPublish).get(0), 10, false));
        assertThat(acks.get(0)).isCompleted();

        server.current().abort();
        scheduler.advance(Duration.ofSeconds(2));
        server.current().accept();
        assertThat(publishedIds(server.current())).containsExactlyElementsOf(ids.subList(1, 3));
        List<ClientFrame> resent = server.current().sent(ClientFrame::hasPublish);
        server.current().server(ack(resent.get(0), 11, true)); // stored before the loss: the original position
        server.current().server(ack(resent.get(1), 12, false));
        assertThat(acks.get(1).join().getPosition()).isEqualTo(11);
        assertThat(acks.get(2).join().getId()).isEqualTo(ids.get(2));
    }

    @Test
    void aRetriableErrorResendsTheSameIdAndAFinalErrorFails() {
        start(builder());
        server.current().accept();
        CompletableFuture<Ack> retried = client.publish("room", "id-1", new byte[] {1}, null);
        CompletableFuture<Ack> refused = client.publish("room", "id-2", new byte[] {2}, null);
        List<ClientFrame> sent = server.current().sent(ClientFrame::hasPublish);
        server.current().server(ServerFrame.newBuilder().setError(Error.newBuilder().setRequestId(sent.get(0).getPublish().getRequestId())
                .setCode(ErrorCode.UNAVAILABLE).setRetriable(true)).build());
        server.current().server(ServerFrame.newBuilder().setError(Error.newBuilder().setRequestId(sent.get(1).getPublish().getRequestId())
                .setCode(ErrorCode.PAYLOAD_TOO_LARGE)).build());
        assertThat(((SwitchboardException) failure(refused)).errorCode()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(publishedIds(server.current())).containsExactly("id-1", "id-2", "id-1");
        server.current().server(ack(server.current().last(ClientFrame::hasPublish), 5, false));
        assertThat(retried).isCompleted();
    }

    @Test
    void aTraceparentGoesWithEveryAttemptOfItsPublishOnly() {
        start(builder());
        server.current().accept();
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        client.publish("room", "traced", new byte[] {1}, null, traceparent);
        // Another room: a resend waits while a publish of its own room is still in flight.
        client.publish("other", "plain", new byte[] {2}, null);
        List<ClientFrame> sent = server.current().sent(ClientFrame::hasPublish);
        assertThat(sent).extracting(f -> f.getPublish().getTraceparent()).containsExactly(traceparent, "");
        server.current().server(ServerFrame.newBuilder().setError(Error.newBuilder().setRequestId(sent.get(0).getPublish().getRequestId())
                .setCode(ErrorCode.UNAVAILABLE).setRetriable(true)).build());
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(server.current().last(ClientFrame::hasPublish).getPublish())
                .satisfies(p -> assertThat(p.getId()).isEqualTo("traced"))
                .satisfies(p -> assertThat(p.getTraceparent()).isEqualTo(traceparent));
    }

    @Test
    void aConflationKeyGoesWithItsPublishAndABadOneIsRefusedAtOnce() {
        start(builder());
        server.current().accept();
        client.publishConflated("ticker:prices", "btc", "p-1", new byte[] {1}, null);
        client.publish("ticker:prices", "p-2", new byte[] {2}, null);
        assertThat(server.current().sent(ClientFrame::hasPublish)).extracting(f -> f.getPublish().getConflationKey())
                .containsExactly("btc", "");
        assertThatThrownBy(() -> client.publishConflated("ticker:prices", "has space", new byte[] {3}, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("conflation_key");
    }

    /** Protocol versions (docs/protocol.md section 12): a later v1 gateway may add fields and opt-in frame types. */
    @Test
    void framesOfALaterV1GatewayWithUnknownFieldsAndFrameTypesAreReadAsBefore() throws Exception {
        start(builder());
        server.current().accept();
        List<String> delivered = new ArrayList<>();
        client.subscribe("room", m -> delivered.add(m.getId() + "@" + m.getPosition()));
        server.current().server(subscribed(server.current().last(ClientFrame::hasSubscribe), 12, 0, false));
        UnknownFieldSet future = UnknownFieldSet.newBuilder()
                .addField(999, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build();
        Message withNewField = message("room", 12).getMessage().toBuilder().setUnknownFields(future).build();
        // The bytes a later gateway sends, read by this SDK's schema exactly as its WebSocket connector reads them.
        ServerFrame unknownType = ServerFrame.parseFrom(UnknownFieldSet.newBuilder()
                .addField(98, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("x")).build())
                .build().toByteString());
        server.current().server(unknownType);
        server.current().server(ServerFrame.parseFrom(ServerFrame.newBuilder().setMessage(withNewField).build().toByteArray()));
        server.current().server(message("room", 13));
        assertThat(unknownType.getFrameCase()).isEqualTo(ServerFrame.FrameCase.FRAME_NOT_SET);
        assertThat(delivered).containsExactly("m12@12", "m13@13");
        assertThat(errors).isEmpty();
    }

    @Test
    void pipelinedPublishesIntoARoomAreResentInPublishOrderAndLaterOnesWaitForTheRetry() {
        start(builder());
        server.current().accept();
        List<CompletableFuture<Ack>> acks = new ArrayList<>();
        for (String id : List.of("a-1", "a-2", "a-3")) {
            acks.add(client.publish("room", id, new byte[] {1}, null));
        }
        client.publish("other", "o-1", new byte[] {1}, null);
        List<ClientFrame> sent = server.current().sent(ClientFrame::hasPublish);
        assertThat(publishedIds(server.current())).as("sent without waiting for acks")
                .containsExactly("a-1", "a-2", "a-3", "o-1");
        // a-2 fails, so the server refuses a-3 too; a-3's error happens to arrive first.
        for (int i : new int[] {2, 1}) {
            server.current().server(unavailable(sent.get(i)));
        }
        acks.add(client.publish("room", "a-4", new byte[] {1}, null));
        assertThat(publishedIds(server.current())).as("a-4 waits behind the retries").hasSize(4);
        server.current().server(ack(sent.get(0), 1, false));

        scheduler.advance(Duration.ofSeconds(2));
        List<ClientFrame> resent = server.current().sent(ClientFrame::hasPublish);
        if (resent.size() == 5) { // a-2's retry fell due before a-3's: a-3 waits for a-2's new answer
            server.current().server(ack(resent.get(4), 2, false));
        }

        assertThat(publishedIds(server.current())).containsExactly("a-1", "a-2", "a-3", "o-1", "a-2", "a-3", "a-4");
    }

    /** Connects, publishes a-1 and a-2 into "room" and returns the frames sent. */
    private List<ClientFrame> publishA1A2() {
        start(builder());
        server.current().accept();
        client.publish("room", "a-1", new byte[] {1}, null);
        client.publish("room", "a-2", new byte[] {1}, null);
        return server.current().sent(ClientFrame::hasPublish);
    }

    @Test
    void aResendWaitsWhileAnEarlierPublishOfItsRoomIsStillInFlight() {
        List<ClientFrame> sent = publishA1A2();
        // a-2 is refused at once while a-1 is still on its way (say, held at a router that took the room over).
        server.current().server(unavailable(sent.get(1)));
        client.publish("room", "a-3", new byte[] {1}, null);

        scheduler.advance(Duration.ofSeconds(2));

        assertThat(publishedIds(server.current())).as("the resend, and a-3 behind it, wait for a-1's answer")
                .containsExactly("a-1", "a-2");
        server.current().server(ack(sent.get(0), 1, false));
        assertThat(publishedIds(server.current())).containsExactly("a-1", "a-2", "a-2", "a-3");
    }

    @Test
    void aResendWaitsWhileALaterPublishOfItsRoomIsStillInFlight() {
        List<ClientFrame> sent = publishA1A2();
        // a-1 fails while a-2 is still on its way: a-2 may yet fail too (and then be resent behind a-3) or be
        // stored by another router after a-3, had a-1's resend and a-3 gone out now.
        server.current().server(unavailable(sent.get(0)));
        client.publish("room", "a-3", new byte[] {1}, null);

        scheduler.advance(Duration.ofSeconds(2));

        assertThat(publishedIds(server.current())).as("the resend, and a-3 behind it, wait for a-2's answer")
                .containsExactly("a-1", "a-2");
        server.current().server(unavailable(sent.get(1)));
        List<ClientFrame> resent = server.current().sent(ClientFrame::hasPublish);
        assertThat(publishedIds(server.current())).as("a-1's retry was due; nothing of the room is in flight now")
                .containsExactly("a-1", "a-2", "a-1");
        server.current().server(ack(resent.get(2), 1, false));
        scheduler.advance(Duration.ofSeconds(2));
        assertThat(publishedIds(server.current())).containsExactly("a-1", "a-2", "a-1", "a-2", "a-3");
    }

    @Test
    void theOfflineQueueIsBoundedInMessagesAndBytes() {
        start(builder().offlineQueueMaxMessages(2).offlineQueueMaxBytes(10));
        CompletableFuture<Ack> first = client.publish("room", new byte[6]);
        CompletableFuture<Ack> tooManyBytes = client.publish("room", new byte[5]);
        CompletableFuture<Ack> second = client.publish("room", new byte[4]);
        CompletableFuture<Ack> tooMany = client.publish("room", new byte[0]);
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        assertThat(((SwitchboardException) failure(tooManyBytes)).errorCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(((SwitchboardException) failure(tooMany)).retriable()).isTrue();
    }

    @Test
    void aPublishWithoutAckFailsAfterTheTimeoutAndIsNotResent() {
        start(builder().publishTimeout(Duration.ofSeconds(5)));
        CompletableFuture<Ack> ack = client.publish("room", new byte[] {1});
        scheduler.advance(Duration.ofSeconds(5));
        assertThat(((SwitchboardException) failure(ack)).errorCode()).isEqualTo(ErrorCode.TIMEOUT);
        server.current().accept();
        assertThat(publishedIds(server.current())).isEmpty();
    }

    @Test
    void resumesFromTheLastDeliveredPositionAndDeliversEachMessageOnce() {
        start(builder());
        server.current().accept();
        List<Long> delivered = new ArrayList<>();
        client.subscribe("room", m -> delivered.add(m.getPosition()));
        ClientFrame subscribe = server.current().last(ClientFrame::hasSubscribe);
        assertThat(subscribe.getSubscribe().hasResumeFrom()).isFalse();
        server.current().server(message("room", 12)); // may precede Subscribed on a plain subscribe
        server.current().server(subscribed(subscribe, 12, 0, false));
        server.current().server(message("room", 15));
        server.current().server(message("room", 15));
        assertThat(delivered).containsExactly(12L, 15L);

        server.current().abort();
        scheduler.advance(Duration.ofSeconds(2));
        server.current().accept();
        subscribe = server.current().last(ClientFrame::hasSubscribe);
        assertThat(subscribe.getSubscribe().getResumeFrom()).isEqualTo(ResumeFrom.newBuilder().setNextPosition(16).setEpoch("t:0").build());
        server.current().server(subscribed(subscribe, 40, 3, true));
        server.current().server(message("room", 15)); // a repeat the server should not send: still dropped
        server.current().server(message("room", 20));
        server.current().server(message("room", 33));
        server.current().server(message("room", 41));
        assertThat(delivered).containsExactly(12L, 15L, 20L, 33L, 41L);
    }

    @Test
    void aQuietRoomResumesFromItsSubscribedPositionButNotPastUnfinishedReplays() {
        start(builder());
        server.current().accept();
        List<RecoveryFailure> failures = new ArrayList<>();
        client.subscribe("quiet", new RoomListener() {
            @Override
            public void onMessage(Message message) {
            }

            @Override
            public void onRecoveryFailure(RecoveryFailure failure) {
                failures.add(failure);
            }
        });
        server.current().server(subscribed(server.current().last(ClientFrame::hasSubscribe), 10, 0, false));
        server.current().abort();
        scheduler.advance(Duration.ofSeconds(2));
        server.current().accept();
        ClientFrame resume = server.current().last(ClientFrame::hasSubscribe);
        assertThat(resume.getSubscribe().getResumeFrom().getNextPosition()).isEqualTo(10);

        // Three messages will be replayed (nextPosition 40 lies past them); the link drops after the first.
        server.current().server(subscribed(resume, 40, 3, true));
        server.current().server(message("quiet", 12));
        server.current().abort();
        scheduler.advance(Duration.ofSeconds(2));
        server.current().accept();
        resume = server.current().last(ClientFrame::hasSubscribe);
        assertThat(resume.getSubscribe().getResumeFrom().getNextPosition()).isEqualTo(13);
        server.current().server(subscribed(resume, 50, 0, false));
        assertThat(failures).containsExactly(RecoveryFailure.POSITION_EXPIRED);
    }

    @Test
    void aRoomClosedByTheServerEndsTheSubscription() {
        start(builder());
        server.current().accept();
        List<ErrorCode> closed = new ArrayList<>();
        Subscription subscription = client.subscribe("room", new RoomListener() {
            @Override
            public void onMessage(Message message) {
            }

            @Override
            public void onClosed(ErrorCode reason, String text) {
                closed.add(reason);
            }
        });
        server.current().server(subscribed(server.current().last(ClientFrame::hasSubscribe), 1, 0, false));
        server.current().server(ServerFrame.newBuilder().setUnsubscribed(Unsubscribed.newBuilder().setRoom("room")
                .setReason(ErrorCode.ROOM_CLOSED)).build());
        assertThat(closed).containsExactly(ErrorCode.ROOM_CLOSED);
        assertThat(subscription.unsubscribe()).isCompleted();
        assertThat(client.subscribe("room", m -> { })).isNotNull(); // the room may be subscribed again
    }

    @Test
    void aSubscriptionABackendMadeReachesTheServerSubscriptionListenerAndIsResumedLikeTheClientsOwn() {
        List<String> seen = new ArrayList<>();
        List<Subscription> handed = new ArrayList<>();
        start(builder().serverSubscriptions((subscription, subscribed) -> {
            handed.add(subscription);
            seen.add("subscribed " + subscribed.getRoom() + " presence=" + subscribed.getPresence());
            return new RoomListener() {
                @Override
                public void onMessage(Message message) {
                    seen.add("message " + message.getRoom() + "/" + message.getPosition());
                }

                @Override
                public void onMembers(MemberList members) {
                    seen.add("members " + members.room() + " " + members.members().stream().map(Member::getUserId).toList());
                }
            };
        }));
        server.current().accept();

        server.current().server(ServerFrame.newBuilder().setSubscribed(Subscribed.newBuilder().setRoom("team:7")
                .setEpoch("t:0").setNextPosition(4).setServerSide(true).setPresence(true)).build());
        server.current().server(message("team:7", 4));
        // With presence, its member list is read and kept like that of the client's own subscriptions.
        PresenceQuery query = server.current().last(ClientFrame::hasPresence).getPresence();
        assertThat(query.getRoom()).isEqualTo("team:7");
        server.current().server(ServerFrame.newBuilder().setPresencePage(PresencePage.newBuilder()
                .setRequestId(query.getRequestId()).setRoom("team:7").setUsers(1).setConnections(1).setVersion(3)
                .setEpoch("p:0").addMembers(Member.newBuilder().setUserId("ann").setDevices(1))).build());
        assertThat(seen).containsExactly("subscribed team:7 presence=true", "message team:7/4", "members team:7 [ann]");
        assertThat(handed).singleElement().satisfies(sub -> {
            assertThat(sub.room()).isEqualTo("team:7");
            assertThat(sub.ready()).isCompleted();
            assertThat(sub.members()).hasValueSatisfying(list -> assertThat(list.version()).isEqualTo(3));
        });

        server.current().abort();
        scheduler.advance(Duration.ofSeconds(2));
        server.current().accept();
        Subscribe resume = server.current().last(ClientFrame::hasSubscribe).getSubscribe();
        assertThat(resume.getRoom()).isEqualTo("team:7");
        assertThat(resume.getPresence()).isTrue();
        assertThat(resume.getResumeFrom().getNextPosition()).isEqualTo(5);

        handed.getFirst().unsubscribe();
        assertThat(server.current().last(ClientFrame::hasUnsubscribe).getUnsubscribe().getRoom()).isEqualTo("team:7");
    }

    @Test
    void aSubscriptionRevokedOnRefreshOrEndedByABackendEndsWithItsReason() {
        start(builder());
        server.current().accept();
        List<String> closed = new ArrayList<>();
        for (String room : List.of("chat", "news")) {
            client.subscribe(room, new RoomListener() {
                @Override
                public void onMessage(Message message) {
                }

                @Override
                public void onClosed(ErrorCode reason, String text) {
                    closed.add(room + " " + reason + " " + text);
                }
            });
            server.current().server(subscribed(server.current().last(ClientFrame::hasSubscribe), 1, 0, false));
        }
        server.current().server(ServerFrame.newBuilder().setUnsubscribed(Unsubscribed.newBuilder().setRoom("chat")
                .setReason(ErrorCode.PERMISSION_REVOKED).setMessage("subscribe in chat: not granted")).build());
        server.current().server(ServerFrame.newBuilder().setUnsubscribed(Unsubscribed.newBuilder().setRoom("news")
                .setReason(ErrorCode.SERVER_UNSUBSCRIBED).setMessage("moved")).build());

        assertThat(closed).containsExactly("chat PERMISSION_REVOKED subscribe in chat: not granted",
                "news SERVER_UNSUBSCRIBED moved");
        server.current().abort();
        scheduler.advance(Duration.ofSeconds(2));
        server.current().accept();
        assertThat(server.current().sent(ClientFrame::hasSubscribe)).isEmpty(); // neither is resubscribed
    }

    @Test
    void aSecondSubscriptionToOneRoomIsRefused() {
        start(builder());
        client.subscribe("room", m -> { });
        assertThatThrownBy(() -> client.subscribe("room", m -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> client.subscribe("bad room", m -> { })).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refreshesTheTokenAtEightyPercentOfItsLifetime() {
        tokenLifetime = Duration.ofSeconds(100);
        start(builder());
        server.current().accept();
        scheduler.advance(Duration.ofSeconds(79));
        assertThat(server.current().sent(ClientFrame::hasRefresh)).isEmpty();
        scheduler.advance(Duration.ofSeconds(1));
        ClientFrame refresh = server.current().last(ClientFrame::hasRefresh);
        assertThat(refresh.getRefresh().getToken()).isEqualTo(tokensIssued.get(1));
        server.current().server(ServerFrame.newBuilder().setAck(Ack.newBuilder().setRequestId(refresh.getRefresh().getRequestId())).build());

        // The second token (obtained at 80 s, expiring at 180 s) is refreshed at 80 + 80 = 160 s.
        scheduler.advance(Duration.ofSeconds(79));
        assertThat(server.current().sent(ClientFrame::hasRefresh)).hasSize(1);
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(server.current().sent(ClientFrame::hasRefresh)).hasSize(2);
    }

    @Test
    void typingIndicatorsOfOthersExpireUnlessRenewed() {
        start(builder());
        server.current().accept();
        List<Set<String>> typing = new ArrayList<>();
        client.subscribe("room", new RoomListener() {
            @Override
            public void onMessage(Message message) {
            }

            @Override
            public void onTyping(Set<String> users) {
                typing.add(users);
            }
        });
        EphemeralEvent bobTypes = EphemeralEvent.newBuilder().setRoom("room").setKind("typing").setSender("bob")
                .setSessionId("b1").setTtlMs(6000).build();
        server.current().server(ServerFrame.newBuilder().setEphemeral(bobTypes).build());
        assertThat(typing).containsExactly(Set.of("bob"));
        scheduler.advance(Duration.ofSeconds(5));
        server.current().server(ServerFrame.newBuilder().setEphemeral(bobTypes).build()); // renewed
        scheduler.advance(Duration.ofMillis(5900));
        assertThat(typing).containsExactly(Set.of("bob"));
        scheduler.advance(Duration.ofMillis(100));
        assertThat(typing).containsExactly(Set.of("bob"), Set.of());
    }

    @Test
    void ownTypingIsRenewedWhileActiveAndStopsWhenIdle() {
        start(builder().typingRenewInterval(Duration.ofSeconds(3)).typingIdleTimeout(Duration.ofSeconds(5)));
        server.current().accept();
        client.subscribe("room", m -> { });
        client.setTyping("room", true);
        scheduler.advance(Duration.ofSeconds(2));
        client.setTyping("room", true); // a keystroke at 2 s
        scheduler.advance(Duration.ofSeconds(1)); // 3 s: renewal
        scheduler.advance(Duration.ofSeconds(3)); // 6 s: renewal (idle 4 s)
        scheduler.advance(Duration.ofSeconds(3)); // 9 s: idle 7 s -> stop
        scheduler.advance(Duration.ofSeconds(9)); // nothing more
        assertThat(server.current().sent(ClientFrame::hasEphemeral)).extracting(f -> f.getEphemeral().getStop())
                .containsExactly(false, false, false, true);
        assertThat(server.current().sent(ClientFrame::hasEphemeral)).allMatch(f -> f.getEphemeral().getKind().equals("typing"));
    }

    @Test
    void aSubscribeRetryDueAfterAReconnectDoesNotSubscribeTwice() {
        start(builder());
        server.current().accept();
        Subscription subscription = client.subscribe("room", m -> { });
        ClientFrame first = server.current().last(ClientFrame::hasSubscribe);
        server.current().server(ServerFrame.newBuilder().setError(Error.newBuilder()
                .setRequestId(first.getSubscribe().getRequestId()).setCode(ErrorCode.RECOVERY_UNAVAILABLE)
                .setRetriable(true).setRoom("room")).build());
        server.current().abort(); // lost before the retry is due
        scheduler.advance(Duration.ofMillis(50));
        server.current().accept();
        server.current().server(subscribed(server.current().last(ClientFrame::hasSubscribe), 3, 0, true));
        scheduler.advance(Duration.ofSeconds(5)); // the first connection's retry falls due
        assertThat(server.current().sent(ClientFrame::hasSubscribe)).hasSize(1);
        assertThat(subscription.ready()).isCompleted();
        assertThat(client.subscribe("other", m -> { }).ready()).isNotCompletedExceptionally();
    }

    @Test
    void closingAgainReturnsAtOnceAlsoWhenTheClientsOwnSchedulerIsGone() {
        SwitchboardClient own = SwitchboardClient.builder().url("ws://gateway.test/ws")
                .tokenProvider(() -> CompletableFuture.completedFuture("t")).transportConnector(new FakeConnector(clock))
                .build();
        own.connect();
        own.close();
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), own::close);
        assertThat(own.state()).isEqualTo(ConnectionState.CLOSED);
    }

    @Test
    void closeFailsWhateverIsPending() {
        start(builder());
        CompletableFuture<Ack> ack = client.publish("room", new byte[] {1});
        Subscription subscription = client.subscribe("room", m -> { });
        client.close();
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(failure(ack)).isInstanceOf(SwitchboardException.class);
        assertThat(subscription.ready()).isCompletedExceptionally();
        assertThat(client.publish("room", new byte[] {2})).isCompletedExceptionally();
        assertThat(errors).isEmpty(); // closed by the application: not an error
    }
}
