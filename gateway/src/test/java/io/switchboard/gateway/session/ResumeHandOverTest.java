package io.switchboard.gateway.session;

import java.util.List;
import java.util.stream.LongStream;

import io.grpc.Status;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Position;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.ReadResponse;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resume hand-over with a scripted history and a hand-over point the test chooses: what a client reads is
 * Subscribed, the missed messages, then the live ones that arrived meanwhile, each position once and in order.
 */
class ResumeHandOverTest {
    private static final String ROOM = "lobby";

    @AutoClose
    private final SessionHarness gateway = new SessionHarness();

    private ClientFrame resume(long afterPosition, String epoch) {
        return ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(9).setRoom(ROOM)
                .setResumeFrom(ResumeFrom.newBuilder().setPosition(afterPosition).setEpoch(epoch))).build();
    }

    private ReadResponse stored(ReadRequest read, long from, long to) {
        return ReadResponse.newBuilder().setEpoch(read.getEpoch()).addAllMessages(LongStream.range(from, to)
                .mapToObj(p -> Envelope.newBuilder().setId("m" + p).setRoom(ROOM)
                        .setPosition(Position.newBuilder().setEpoch(read.getEpoch()).setOffset(p)).build())
                .toList()).build();
    }

    private static List<Long> messagePositions(List<ServerFrame> frames) {
        return frames.stream().filter(ServerFrame::hasMessage).map(f -> f.getMessage().getPosition()).toList();
    }

    @Test
    void missedMessagesComeAfterSubscribedAndBeforeTheLiveOnesThatArrivedMeanwhile() throws Exception {
        SessionHarness.Connection c = gateway.connectAs("alice");
        gateway.handOver.liveFrom = 20;
        String epoch = gateway.layout.epochOf(ROOM);

        c.send(resume(10, epoch));
        SessionHarness.Call<ReadRequest, ReadResponse> read = gateway.history.nextRead();
        assertThat(read.request().getPosition()).isEqualTo(10);
        assertThat(read.request().getUntil()).isEqualTo(20);
        // Live messages while history is read: held back, never written before Subscribed.
        gateway.handOver.deliver(ROOM, 20);
        gateway.handOver.deliver(ROOM, 21);
        assertThat(c.sink().frames()).hasSize(1); // Connected only
        read.answer().complete(stored(read.request(), 11, 20));
        gateway.handOver.deliver(ROOM, 22);

        List<ServerFrame> frames = c.awaitFrames(1 + 1 + 9 + 3);
        ServerFrame subscribed = frames.get(1);
        assertThat(subscribed.getSubscribed().getRecovered()).isTrue();
        assertThat(subscribed.getSubscribed().getReplayed()).isEqualTo(9);
        assertThat(subscribed.getSubscribed().getNextPosition()).isEqualTo(20);
        assertThat(messagePositions(frames)).containsExactlyElementsOf(LongStream.range(11, 23).boxed().toList());
        assertThat(frames.stream().filter(ServerFrame::hasMessage).limit(9))
                .allSatisfy(f -> assertThat(f.getMessage().getEpoch()).isEqualTo(epoch));
    }

    @Test
    void aPositionWrittenOnceIsNeverWrittenAgainAtTheSeam() throws Exception {
        SessionHarness.Connection c = gateway.connectAs("alice");
        gateway.handOver.liveFrom = 20;

        c.send(resume(10, gateway.layout.epochOf(ROOM)));
        SessionHarness.Call<ReadRequest, ReadResponse> read = gateway.history.nextRead();
        // A live record the replay also carries (19), then the first one after the hand-over point.
        gateway.handOver.deliver(ROOM, 19);
        gateway.handOver.deliver(ROOM, 20);
        read.answer().complete(stored(read.request(), 11, 20));
        gateway.handOver.deliver(ROOM, 21);

        List<ServerFrame> frames = c.awaitFrames(2 + 11);
        assertThat(messagePositions(frames)).containsExactlyElementsOf(LongStream.range(11, 22).boxed().toList());
    }

    @Test
    void aResumeIntoAnotherEpochSubscribesUnrecoveredWithoutReadingHistory() {
        SessionHarness.Connection c = gateway.connectAs("alice");
        gateway.handOver.liveFrom = 3;

        c.send(resume(10, "an-old-epoch"));

        ServerFrame subscribed = c.awaitFrame(ServerFrame::hasSubscribed);
        assertThat(subscribed.getSubscribed().getRecovered()).isFalse();
        assertThat(subscribed.getSubscribed().getRecoveryFailure()).isEqualTo(RecoveryFailure.EPOCH_CHANGED);
        assertThat(subscribed.getSubscribed().getNextPosition()).isEqualTo(3);
        assertThat(gateway.history.reads).isEmpty();
        assertThat(gateway.registry.subscribers(ROOM)).hasSize(1);
    }

    @Test
    void historyDownIsARetriableErrorAndLeavesTheRoomUnsubscribed() throws Exception {
        SessionHarness.Connection c = gateway.connectAs("alice");
        gateway.handOver.liveFrom = 20;

        c.send(resume(10, gateway.layout.epochOf(ROOM)));
        gateway.handOver.deliver(ROOM, 20);
        gateway.history.nextRead().answer().completeExceptionally(Status.UNAVAILABLE.asRuntimeException());

        ServerFrame error = c.awaitFrame(ServerFrame::hasError);
        assertThat(error.getError().getCode()).isEqualTo(ErrorCode.RECOVERY_UNAVAILABLE);
        assertThat(error.getError().getRetriable()).isTrue();
        assertThat(error.getError().getRequestId()).isEqualTo(9);
        assertThat(gateway.registry.subscribers(ROOM)).isEmpty();
        assertThat(c.sink().frames()).noneMatch(f -> f.hasMessage() || f.hasSubscribed());
        assertThat(gateway.presence.reports).containsExactly("opened alice", "joined " + ROOM, "left " + ROOM);
    }

    @Test
    void resumingARoomAlreadySubscribedIsABadRequest() {
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(1).setRoom(ROOM)).build());
        c.awaitFrame(ServerFrame::hasSubscribed);

        c.send(resume(10, gateway.layout.epochOf(ROOM)));

        ServerFrame error = c.awaitFrame(ServerFrame::hasError);
        assertThat(error.getError().getCode()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(error.getError().getMessage()).isEqualTo("already subscribed to lobby (expected: unsubscribe before resuming)");
    }
}
