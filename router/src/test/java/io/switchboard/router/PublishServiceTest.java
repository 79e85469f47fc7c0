package io.switchboard.router;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.switchboard.proto.RouterErrorReason;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Position;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.PublishSequence;
import io.switchboard.router.RouterMetrics.Outcome;
import io.switchboard.service.GrpcFutures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static io.switchboard.router.Envelopes.envelope;
import static io.switchboard.router.Envelopes.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The real publish service over in-process gRPC, with a scripted log at the Kafka seam. */
class PublishServiceTest {
    private final ScriptedLog log = new ScriptedLog();
    private InProcessRouter router;

    @AfterEach
    void closeRouter() {
        if (router != null) {
            router.close();
        }
    }

    @Test
    void answersWithTheLogPositionOnceStored() {
        router = new InProcessRouter(log);

        PublishResponse response = router.blocking().publish(request("chat:lobby", "m-1"));

        assertThat(response.getDuplicate()).isFalse();
        assertThat(response.getPosition()).isEqualTo(position(0));
        assertThat(response.getStoredTime()).isEqualTo(PublishService.timestamp(router.clock.instant()));
        assertThat(log.appends()).singleElement().satisfies(append -> {
            assertThat(append.room()).isEqualTo("chat:lobby");
            assertThat(append.timestamp()).isEqualTo(router.clock.instant());
        });
        assertThat(router.metrics.total(Outcome.OK)).isEqualTo(1);
        assertThat(router.limiter.inFlight()).isZero();
    }

    @Test
    void recordSetsReceivedTimeWhenAbsentAndDropsWhatDerivesFromTheRecord() {
        router = new InProcessRouter(log);
        Instant earlier = Instant.parse("2025-12-31T23:59:59Z");

        router.blocking().publish(request(envelope("r", "no-time")
                .setPosition(Position.newBuilder().setEpoch("forged:9").setOffset(99))
                .setStoredTime(PublishService.timestamp(earlier))));
        router.blocking().publish(request(envelope("r", "with-time")
                .setReceivedTime(PublishService.timestamp(earlier))));

        Envelope first = log.appends().get(0).envelope();
        assertThat(first.getReceivedTime()).isEqualTo(PublishService.timestamp(router.clock.instant()));
        assertThat(first.hasPosition()).isFalse();
        assertThat(first.hasStoredTime()).isFalse();
        assertThat(first.getPayload()).isEqualTo(envelope("r", "no-time").getPayload());
        assertThat(log.appends().get(1).envelope().getReceivedTime()).isEqualTo(PublishService.timestamp(earlier));
    }

    static Stream<Arguments> invalidEnvelopes() {
        String long129 = "x".repeat(129);
        return Stream.of(
                invalid("no envelope", null, Status.Code.INVALID_ARGUMENT, "envelope is required"),
                invalid("empty id", e -> e.setId(""), Status.Code.INVALID_ARGUMENT, "id is required"),
                invalid("bad id", e -> e.setId("a b"), Status.Code.INVALID_ARGUMENT, "id: 'a b'"),
                invalid("bad conflation key", e -> e.setConflationKey("a b"), Status.Code.INVALID_ARGUMENT,
                        "conflation_key: 'a b'"),
                invalid("empty room", e -> e.setRoom(""), Status.Code.INVALID_ARGUMENT, "room is required"),
                invalid("bad room", e -> e.setRoom("-room"), Status.Code.INVALID_ARGUMENT, "room: '-room'"),
                invalid("no sender", Envelope.Builder::clearSender, Status.Code.INVALID_ARGUMENT,
                        "sender.user_id is required"),
                invalid("long user", e -> e.setSender(e.getSender().toBuilder().setUserId(long129)),
                        Status.Code.INVALID_ARGUMENT, "sender.user_id: 129 characters (expected: <= 128)"),
                invalid("long session", e -> e.setSender(e.getSender().toBuilder().setSessionId(long129)),
                        Status.Code.INVALID_ARGUMENT, "sender.session_id: 129 characters"),
                invalid("long content type", e -> e.setContentType(long129), Status.Code.INVALID_ARGUMENT,
                        "content_type: 129 characters (expected: <= 128)"),
                invalid("long trace id", e -> e.setTraceId(long129), Status.Code.INVALID_ARGUMENT,
                        "trace_id: 129 characters"),
                invalid("payload too large", e -> e.setPayload(ByteString.copyFrom(new byte[65_537])),
                        Status.Code.RESOURCE_EXHAUSTED, "payload: 65537 bytes (expected: <= 65536)"));
    }

    private static Arguments invalid(String name, UnaryOperator<Envelope.Builder> change, Status.Code code,
                                     String description) {
        return Arguments.of(name, change, code, description);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidEnvelopes")
    void rejectsInvalidEnvelopesBeforeAllocatingAnything(String name, UnaryOperator<Envelope.Builder> change,
                                                        Status.Code code, String description) {
        router = new InProcessRouter(log);
        PublishRequest request = change == null ? PublishRequest.getDefaultInstance()
                : request(change.apply(envelope("chat:lobby", "m-1")));

        assertThatThrownBy(() -> router.blocking().publish(request))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(code);
                    assertThat(e.getStatus().getDescription()).contains(description);
                });
        assertThat(log.appends()).isEmpty();
        assertThat(router.dedup.size()).isZero();
        assertThat(router.limiter.inFlight()).isZero();
        assertThat(router.metrics.total(Outcome.INVALID)).isEqualTo(1);
    }

    @Test
    void acceptsPayloadAtTheLimit() {
        router = new InProcessRouter(log);

        PublishResponse response = router.blocking().publish(
                request(envelope("r", "big").setPayload(ByteString.copyFrom(new byte[65_536]))));

        assertThat(response.getDuplicate()).isFalse();
        assertThat(log.appends()).hasSize(1);
    }

    @Test
    void sequentialRetryIsAnsweredAsDuplicateWithTheOriginalPosition() {
        router = new InProcessRouter(log);
        router.blocking().publish(request("r", "other"));

        PublishResponse first = router.blocking().publish(request("r", "m-1"));
        PublishResponse retry = router.blocking().publish(request("r", "m-1"));

        assertThat(first.getDuplicate()).isFalse();
        assertThat(retry.getDuplicate()).isTrue();
        assertThat(retry.getPosition()).isEqualTo(first.getPosition()).isEqualTo(position(1));
        assertThat(retry.getStoredTime()).isEqualTo(first.getStoredTime());
        assertThat(log.appends()).hasSize(2);
        assertThat(router.metrics.total(Outcome.DUPLICATE)).isEqualTo(1);
    }

    @Test
    void sameIdFromAnotherSenderIsNotADuplicate() {
        router = new InProcessRouter(log);
        router.blocking().publish(request("r", "m-1"));

        PublishResponse bob = router.blocking().publish(request(envelope("r", "m-1")
                .setSender(envelope("r", "m-1").getSender().toBuilder().setUserId("bob"))));

        assertThat(bob.getDuplicate()).isFalse();
        assertThat(log.appends()).hasSize(2);
    }

    @Test
    void idReusedForAnotherRoomIsInvalid() {
        router = new InProcessRouter(log);
        router.blocking().publish(request("room-a", "m-1"));

        assertThatThrownBy(() -> router.blocking().publish(request("room-b", "m-1")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("id: 'm-1'").contains("another room");
                });
        assertThat(log.appends()).hasSize(1);
    }

    @Test
    void concurrentRetriesCoalesceOntoOneSend() throws InterruptedException {
        router = new InProcessRouter(log);
        log.mode(ScriptedLog.Mode.HOLD);
        int calls = 8;
        List<CompletableFuture<PublishResponse>> responses = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            responses.add(publishAsync(request("r", "m-1")));
        }
        await().until(() -> router.handled() == calls);
        assertThat(log.appends()).hasSize(1);
        assertThat(responses).noneMatch(CompletableFuture::isDone);

        log.ackHeld();

        List<PublishResponse> answers = responses.stream().map(CompletableFuture::join).toList();
        assertThat(answers).extracting(PublishResponse::getPosition).containsOnly(position(0));
        assertThat(answers).filteredOn(r -> !r.getDuplicate()).hasSize(1);
        assertThat(router.metrics.total(Outcome.DUPLICATE)).isEqualTo(calls - 1);
        assertThat(router.limiter.inFlight()).isZero();
    }

    @Test
    void failedSendIsEvictedSoThatARetrySendsAgain() {
        router = new InProcessRouter(log);
        log.mode(ScriptedLog.Mode.FAIL);

        assertThatThrownBy(() -> router.blocking().publish(request("r", "m-1")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).contains("kafka did not acknowledge")
                            .contains("TimeoutException");
                });
        assertThat(router.dedup.size()).isZero();
        assertThat(router.metrics.total(Outcome.UNAVAILABLE)).isEqualTo(1);

        log.mode(ScriptedLog.Mode.ACK);
        PublishResponse retry = router.blocking().publish(request("r", "m-1"));

        assertThat(retry.getDuplicate()).isFalse();
        assertThat(log.appends()).hasSize(2);
        assertThat(router.limiter.inFlight()).isZero();
    }

    @Test
    void waitersOfAFailedSendAllGetUnavailableAndTheNextRetrySends() {
        router = new InProcessRouter(log);
        log.mode(ScriptedLog.Mode.HOLD);
        List<CompletableFuture<PublishResponse>> responses = List.of(
                publishAsync(request("r", "m-1")), publishAsync(request("r", "m-1")),
                publishAsync(request("r", "m-1")));
        await().until(() -> router.handled() == 3);

        log.failHeld();

        assertThat(responses).allSatisfy(f -> assertThat(f).failsWithin(Duration.ofSeconds(5))
                .withThrowableThat().havingRootCause().isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE)));
        log.mode(ScriptedLog.Mode.ACK);
        assertThat(router.blocking().publish(request("r", "m-1")).getDuplicate()).isFalse();
        assertThat(log.appends()).hasSize(2);
    }

    @Test
    void appendThrowingIsUnavailableAndReleasesItsSlot() {
        router = new InProcessRouter(log);
        log.mode(ScriptedLog.Mode.THROW);

        assertThatThrownBy(() -> router.blocking().publish(request("r", "m-1")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(router.limiter.inFlight()).isZero();
        assertThat(router.dedup.size()).isZero();
    }

    @Test
    void refusesPublishesBeyondTheInFlightLimit() {
        router = new InProcessRouter(log, 2, 65_536, Duration.ofMinutes(10), List.of());
        log.mode(ScriptedLog.Mode.HOLD);
        CompletableFuture<PublishResponse> first = publishAsync(request("r", "m-1"));
        CompletableFuture<PublishResponse> second = publishAsync(request("r", "m-2"));
        await().until(() -> router.limiter.inFlight() == 2);

        assertThatThrownBy(() -> router.blocking().publish(request("r", "m-3")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("too many publishes in flight");
                });
        // A retry of a publish in flight needs no slot of its own.
        CompletableFuture<PublishResponse> retry = publishAsync(request("r", "m-1"));
        await().until(() -> router.handled() == 4);
        assertThat(router.metrics.total(Outcome.EXHAUSTED)).isEqualTo(1);

        log.ackHeld();
        assertThat(first.join().getDuplicate()).isFalse();
        assertThat(second.join().getDuplicate()).isFalse();
        assertThat(retry.join().getDuplicate()).isTrue();
        assertThat(router.limiter.inFlight()).isZero();
        log.mode(ScriptedLog.Mode.ACK);
        assertThat(router.blocking().publish(request("r", "m-3")).getDuplicate()).isFalse();
    }

    @Test
    void aPublishWhosePredecessorInItsLaneWasRefusedIsNotStored() {
        router = new InProcessRouter(log, 1, 65_536, Duration.ofMinutes(10), List.of());
        log.mode(ScriptedLog.Mode.HOLD);
        CompletableFuture<PublishResponse> other = publishAsync(request("r", "other"));
        await().until(() -> router.limiter.inFlight() == 1);
        assertThatThrownBy(() -> router.blocking().publish(inLane("r", "m-1", "lane-1", 1, 0)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        log.ackHeld();
        other.join();
        log.mode(ScriptedLog.Mode.ACK);

        // A slot is free now, but m-1 was not stored: m-2 must not get ahead of it.
        assertThatThrownBy(() -> router.blocking().publish(inLane("r", "m-2", "lane-1", 2, 0)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
                    assertThat(RouterErrorReason.of(e)).contains(RouterErrorReason.OUT_OF_SEQUENCE);
                });
        assertThat(log.appends()).extracting(a -> a.envelope().getId()).containsExactly("other");
        assertThat(router.metrics.total(Outcome.OUT_OF_SEQUENCE)).isEqualTo(1);
        assertThat(router.limiter.inFlight()).isZero();
        assertThat(router.dedup.size()).as("m-2 was not claimed: its resend is stored").isEqualTo(1);

        // The sender's resend, in a new lane, in order.
        router.blocking().publish(inLane("r", "m-1", "lane-2", 1, 0));
        router.blocking().publish(inLane("r", "m-2", "lane-2", 2, 1));
        assertThat(log.appends()).extracting(a -> a.envelope().getId()).containsExactly("other", "m-1", "m-2");
    }

    @Test
    void aLaneWhoseAppendFailedStoresNothingMoreButItsDuplicatesAreStillAnswered() {
        router = new InProcessRouter(log);
        router.blocking().publish(inLane("r", "m-1", "lane-1", 1, 0));
        log.mode(ScriptedLog.Mode.FAIL);
        assertThatThrownBy(() -> router.blocking().publish(inLane("r", "m-2", "lane-1", 2, 1)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        log.mode(ScriptedLog.Mode.ACK);

        assertThatThrownBy(() -> router.blocking().publish(inLane("r", "m-3", "lane-1", 3, 1)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED));
        assertThat(router.blocking().publish(inLane("r", "m-1", "lane-1", 1, 0)).getDuplicate()).isTrue();
        assertThat(log.appends()).extracting(a -> a.envelope().getId()).containsExactly("m-1", "m-2");
    }

    @Test
    void aLaneThatMovesToThisRouterStartsAfterWhatItsSenderHasAcknowledged() {
        router = new InProcessRouter(log);
        // Publishes 1-3 were stored by another router, 1 and 2 acknowledged: 4 has to wait for 3.
        assertThatThrownBy(() -> router.blocking().publish(inLane("r", "m-4", "moved", 4, 2)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED));
        // 3's failover attempt, then 4 again: in turn now.
        router.blocking().publish(inLane("r", "m-3", "moved", 3, 2));
        router.blocking().publish(inLane("r", "m-4", "moved", 4, 2));
        assertThat(log.appends()).extracting(a -> a.envelope().getId()).containsExactly("m-3", "m-4");
    }

    /**
     * A resend on a new connection while the old connection's copy is between its claim and its append (the old
     * gateway still forwarding it): the resend joins it as a duplicate, and the new lane's next publish, handed over
     * right behind it as a stream does, must not reach the log before the copy it joined.
     */
    @Test
    void theNextPublishOfALaneWhoseResendJoinedAnAppendUnderWayIsStoredAfterIt() throws InterruptedException {
        router = new InProcessRouter(log);
        CountDownLatch appending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        log.beforeAppend(envelope -> {
            if (envelope.getId().equals("m-1") && appending.getCount() > 0) {
                appending.countDown();
                awaitQuietly(release);
            }
        });
        CompletableFuture<PublishResponse> original = publishAsync(inLane("r", "m-1", "old-connection", 1, 0));
        assertThat(appending.await(10, TimeUnit.SECONDS)).as("original append started").isTrue();

        List<CompletableFuture<PublishResponse>> resent = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread stream = Thread.ofPlatform().name("new-connection-stream").start(() -> {
            for (PublishRequest request : List.of(inLane("r", "m-1", "new-connection", 1, 0),
                    inLane("r", "m-2", "new-connection", 2, 0))) {
                resent.add(GrpcFutures.unary("router", answer -> router.service.publish(request, answer, null)));
            }
        });
        // Either m-2 overtook the append under way, or the resend waits for that append's call.
        await().until(() -> appendedIds().contains("m-2") || stream.getState() == Thread.State.BLOCKED);
        release.countDown();
        stream.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(original.join().getDuplicate()).isFalse();
        assertThat(resent).hasSize(2);
        assertThat(resent.get(0).join().getDuplicate()).isTrue();
        assertThat(resent.get(1).join().getPosition()).isEqualTo(position(1));
        assertThat(appendedIds()).containsExactly("m-1", "m-2");
    }

    private List<String> appendedIds() {
        return log.appends().stream().map(a -> a.envelope().getId()).toList();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static PublishRequest inLane(String room, String id, String lane, long seq, long storedThrough) {
        return request(room, id).toBuilder().setSequence(PublishSequence.newBuilder().setLane(lane).setSeq(seq)
                .setStoredThrough(storedThrough)).build();
    }

    @Test
    void rememberedIdsExpireAfterTheTtl() {
        router = new InProcessRouter(log, 100, 65_536, Duration.ofMinutes(10), List.of());
        router.blocking().publish(request("r", "m-1"));

        router.clock.advance(Duration.ofMinutes(9));
        assertThat(router.blocking().publish(request("r", "m-1")).getDuplicate()).isTrue();
        router.clock.advance(Duration.ofMinutes(2));
        assertThat(router.blocking().publish(request("r", "m-1")).getDuplicate()).isFalse();

        assertThat(log.appends()).hasSize(2);
    }

    @Test
    void callCancelledBeforeTheHandlerRanSendsNothing() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        router = new InProcessRouter(log, 100, 65_536, Duration.ofMinutes(10),
                List.of(holdUntilCancelled(arrived, cancelled)));

        // A passed deadline cancels the server's context exactly as the caller's cancel does; cancelling once the
        // call has arrived keeps the test independent of how fast the machine is.
        Context.CancellableContext caller = Context.current().withCancellation();
        CompletableFuture<PublishResponse> result = caller.call(() -> publishAsync(request("r", "late")));
        assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
        caller.cancel(null);

        assertThat(cancelled.await(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StatusRuntimeException.class);
        await().until(() -> router.metrics.total(Outcome.CANCELLED) == 1);
        assertThat(log.appends()).isEmpty();
        assertThat(router.dedup.size()).isZero();
    }

    /**
     * Delays the handler of the first call until its context is cancelled, as a call stuck in a queue past
     * its deadline would be; later calls pass straight through. Counts {@code arrived} down when the first call
     * is held, {@code cancelled} when it is released.
     */
    static ServerInterceptor holdUntilCancelled(CountDownLatch arrived, CountDownLatch cancelled) {
        return InProcessRouter.aroundHalfClose(halfClose -> {
            if (cancelled.getCount() == 0) {
                halfClose.run();
                return;
            }
            CountDownLatch ended = new CountDownLatch(1);
            Context.current().addListener(context -> ended.countDown(), Runnable::run);
            arrived.countDown();
            try {
                if (!ended.await(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("call was not cancelled");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            cancelled.countDown();
            halfClose.run();
        });
    }

    private CompletableFuture<PublishResponse> publishAsync(PublishRequest request) {
        return GrpcFutures.unary("router", response -> router.async().publish(request, response));
    }

    private static Position position(long offset) {
        return Position.newBuilder().setEpoch(ScriptedLog.EPOCH).setOffset(offset).build();
    }
}
