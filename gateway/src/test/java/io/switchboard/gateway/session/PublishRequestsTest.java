package io.switchboard.gateway.session;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.github.bucket4j.TimeMeter;
import io.switchboard.gateway.authz.AuthzConfig;
import io.switchboard.gateway.limits.ConnectionLimits;
import io.switchboard.gateway.limits.FrameRateLimiter;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.Ping;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Position;
import io.switchboard.proto.internal.v1.PublishSequence;
import io.switchboard.proto.internal.v1.PublishResponse;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Publishes through a scripted router: ack mapping, the in-flight budget and the drain's admission. */
class PublishRequestsTest {
    @AutoClose
    private SessionHarness gateway = new SessionHarness();

    private static ClientFrame publish(int requestId, boolean ack) {
        return ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(requestId).setRoom("lobby")
                .setId("m-" + requestId).setPayload(ByteString.copyFromUtf8("hi")).setAck(ack)).build();
    }

    /** Sends publishes 1 to 3, each wanting an ack, and returns the Error that refuses 3 as rate-limited. */
    private static ServerFrame thirdOfThreeRateLimited(SessionHarness.Connection c) {
        c.send(publish(1, true));
        c.send(publish(2, true));
        c.send(publish(3, true));
        ServerFrame limited = c.awaitFrame(ServerFrame::hasError);
        assertThat(limited.getError().getRequestId()).isEqualTo(3);
        assertThat(limited.getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        return limited;
    }

    private static PublishResponse storedAt(long offset) {
        return PublishResponse.newBuilder().setPosition(Position.newBuilder().setEpoch("e:3").setOffset(offset)).build();
    }

    @Test
    void anAckCarriesTheRoutersPositionAndTheEnvelopeTheSender() throws Exception {
        SessionHarness.Connection c = gateway.connectAs("alice");

        c.send(publish(5, true));
        SessionHarness.Call<Envelope, PublishResponse> call = gateway.router.nextPublish();
        assertThat(call.request().getSender().getUserId()).isEqualTo("alice");
        assertThat(call.request().getSender().getSessionId()).isEqualTo(c.session().sessionId());
        assertThat(call.request().getSender().getGatewayId()).isEqualTo(SessionHarness.GATEWAY_ID);
        assertThat(call.request().getId()).isEqualTo("m-5");
        call.answer().complete(storedAt(41));

        ServerFrame ack = c.awaitFrame(ServerFrame::hasAck);
        assertThat(ack.getAck().getRequestId()).isEqualTo(5);
        assertThat(ack.getAck().getId()).isEqualTo("m-5");
        assertThat(ack.getAck().getPosition()).isEqualTo(41);
        assertThat(ack.getAck().getEpoch()).isEqualTo("e:3");
        assertThat(c.session().publishesInFlight()).isZero();
    }

    @Test
    void withoutAckOnlyAnErrorIsWritten() throws Exception {
        SessionHarness.Connection c = gateway.connectAs("alice");

        c.send(publish(1, false));
        gateway.router.nextPublish().answer().complete(storedAt(1));
        c.send(publish(2, false));
        gateway.router.nextPublish().answer().completeExceptionally(
                Status.UNAVAILABLE.withDescription("no leader").asRuntimeException());
        c.send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(3)).build());

        c.awaitFrame(ServerFrame::hasPong);
        ServerFrame error = c.awaitFrame(ServerFrame::hasError);
        assertThat(error.getError().getRequestId()).isEqualTo(2);
        assertThat(error.getError().getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(error.getError().getRetriable()).isTrue();
        assertThat(c.sink().frames()).noneMatch(ServerFrame::hasAck);
    }

    @Test
    void oneRequestBeyondTheBudgetIsRateLimitedWithAMessageThatAddsUp() throws Exception {
        gateway.close();
        SessionSettings s = SessionHarness.settings();
        gateway = new SessionHarness(new SessionSettings(s.connectTimeout(), s.closeTimeout(), s.maxSubscriptions(),
                s.maxFrameBytes(), s.maxPayloadBytes(), s.maxOutboundQueueBytes(), 2, s.maxResumeBufferBytes()));
        SessionHarness.Connection c = gateway.connectAs("alice");

        ServerFrame limited = thirdOfThreeRateLimited(c);
        assertThat(limited.getError().getRetriable()).isTrue();
        assertThat(limited.getError().getMessage()).isEqualTo("publishes in flight: 3 (expected: <= 2); wait for acks");
        assertThat(c.session().publishesInFlight()).isEqualTo(2);

        // An answer frees a slot.
        gateway.router.nextPublish().answer().complete(storedAt(1));
        c.awaitFrame(ServerFrame::hasAck);
        c.send(publish(4, true));
        gateway.router.nextPublish();
        assertThat(gateway.router.nextPublish().request().getId()).isEqualTo("m-4");
    }

    @Test
    void historyRequestsHaveTheirOwnBudget() {
        SessionHarness.Connection c = gateway.connectAs("alice");

        for (int i = 1; i <= ReadRequests.MAX_INFLIGHT_HISTORY_REQUESTS + 1; i++) {
            c.send(ClientFrame.newBuilder().setHistory(HistoryRequest.newBuilder().setRequestId(i).setRoom("lobby"))
                    .build());
        }

        ServerFrame limited = c.awaitFrame(ServerFrame::hasError);
        assertThat(limited.getError().getRequestId()).isEqualTo(9);
        assertThat(limited.getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(limited.getError().getMessage()).isEqualTo("history requests in flight: 9 (expected: <= 8); wait for pages");
        assertThat(gateway.history.reads).hasSize(8);
    }

    @Test
    void whileDrainingAPublishIsRefusedUnavailableAndTheDrainWaitsForTheOneInFlight() throws Exception {
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.send(publish(1, true));
        SessionHarness.Call<Envelope, PublishResponse> inFlight = gateway.router.nextPublish();

        gateway.admission.startDraining();
        c.send(publish(2, true));

        ServerFrame refused = c.awaitFrame(ServerFrame::hasError);
        assertThat(refused.getError().getRequestId()).isEqualTo(2);
        assertThat(refused.getError().getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(gateway.admission.publishesInFlight()).isEqualTo(1);
        assertThat(c.session().publishesInFlight()).isEqualTo(1);
        inFlight.answer().complete(storedAt(7));
        assertThat(gateway.admission.awaitNoPublishesInFlight(Duration.ofSeconds(10))).isTrue();
        // The answer was queued before the count reached zero: a drain closing now cannot cut it off.
        assertThat(c.awaitFrame(ServerFrame::hasAck).getAck().getPosition()).isEqualTo(7);
    }

    @Test
    void anInvalidPublishNeverReachesTheRouter() {
        SessionHarness.Connection c = gateway.connectAs("alice");

        c.send(ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(1).setRoom("lobby")
                .setPayload(ByteString.copyFrom(new byte[65_537]))).build());

        ServerFrame error = c.awaitFrame(ServerFrame::hasError);
        assertThat(error.getError().getCode()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
        assertThat(error.getError().getRetriable()).isFalse();
        assertThat(gateway.router.publishes).isEmpty();
    }

    @Test
    void aPublishRefusedOverTheFrameRateHoldsBackTheOnesSentAfterItUntilItsResend() throws Exception {
        // Two frames at once, then one a second, on a clock that moves only when the test says.
        AtomicLong nanos = new AtomicLong();
        TimeMeter clock = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return nanos.get();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
        FrameRateLimiter.Settings rates = new FrameRateLimiter.Settings(1, 2, FrameRateLimiter.MAX_RATE,
                1_000_000_000L, 100, clock);
        gateway.close();
        gateway = new SessionHarness(SessionHarness.settings(), AuthzConfig.defaults(), Map.of(),
                () -> ConnectionLimits.ratesOnly(rates));
        SessionHarness.Connection c = gateway.connectAs("alice");

        ServerFrame limited = thirdOfThreeRateLimited(c);
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        c.send(publish(4, true)); // sent before the client heard of 3's refusal

        SessionHarness.Call<Envelope, PublishResponse> first = gateway.router.nextPublish();
        SessionHarness.Call<Envelope, PublishResponse> second = gateway.router.nextPublish();
        SessionHarness.Call<Envelope, PublishResponse> fourth = gateway.router.nextPublish();
        assertThat(fourth.request().getId()).isEqualTo("m-4");
        PublishSequence lane = gateway.router.sequences.get(0);
        // Numbered after the refused m-3 (3): the router, still waiting for 3, refuses it instead of storing it
        // ahead of m-3's resend.
        assertThat(gateway.router.sequences.get(2)).extracting(PublishSequence::getLane, PublishSequence::getSeq)
                .containsExactly(lane.getLane(), 4L);
        first.answer().complete(storedAt(1));
        second.answer().complete(storedAt(2));
        fourth.answer().completeExceptionally(Status.UNAVAILABLE.withDescription("out of order").asRuntimeException());
        c.awaitFrame(f -> f.hasError() && f.getError().getRequestId() == 4);

        // The client resends 3 and then 4: a new lane, in that order.
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        c.send(publish(3, true));
        c.send(publish(4, true));
        assertThat(gateway.router.nextPublish().request().getId()).isEqualTo("m-3");
        assertThat(gateway.router.nextPublish().request().getId()).isEqualTo("m-4");
        PublishSequence resent = gateway.router.sequences.get(3);
        assertThat(resent.getLane()).isNotEqualTo(lane.getLane());
        assertThat(resent.getSeq()).isEqualTo(1);
        assertThat(gateway.router.sequences.get(4)).extracting(PublishSequence::getLane, PublishSequence::getSeq)
                .containsExactly(resent.getLane(), 2L);
    }
}
