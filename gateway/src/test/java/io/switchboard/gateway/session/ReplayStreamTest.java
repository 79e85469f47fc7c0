package io.switchboard.gateway.session;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Position;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.ReadResponse;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A deep resume against a client that stops reading: the replay streams its gap page by page into a small
 * outbound queue and pauses, without reading further pages, until the client reads again; live messages beyond
 * the resume buffer are dropped and read back from history; the client sees every position once, in order.
 */
class ReplayStreamTest {
    private static final String ROOM = "lobby";
    /** Positions 1..GAP were stored before the hand-over point, GAP + 1.. arrive live. */
    private static final long GAP = 1_000;
    private static final long LIVE = 300;
    private static final long LIVE_FROM = GAP + 1;
    private static final int QUEUE_BYTES = 64 * 1024;
    private static final ByteString PAYLOAD = ByteString.copyFrom(new byte[1024]);

    // A 64 KiB outbound queue (the replay fills at most half), a 4 KiB resume buffer (a few hundred live frames).
    @AutoClose
    private final SessionHarness gateway = new SessionHarness(new SessionSettings(Duration.ofMinutes(1),
            Duration.ofMinutes(1), 100, 131_072, 65_536, QUEUE_BYTES, 64, 4096));

    /** What the history store holds: the gap with 1 KiB payloads, then the live messages. */
    private static Envelope stored(long position, String epoch) {
        return Envelope.newBuilder().setId("m" + position).setRoom(ROOM)
                .setPayload(position < LIVE_FROM ? PAYLOAD : ByteString.EMPTY)
                .setPosition(Position.newBuilder().setEpoch(epoch).setOffset(position)).build();
    }

    /** Answers a read like a history service holding positions 1..GAP + LIVE. */
    private static void serve(SessionHarness.Call<ReadRequest, ReadResponse> call) {
        ReadRequest r = call.request();
        long after = r.getFromStart() ? -1 : r.getPosition();
        long until = r.getUntil() == 0 ? Long.MAX_VALUE : r.getUntil();
        List<Envelope> range = LongStream.rangeClosed(1, GAP + LIVE).filter(p -> p > after && p < until)
                .mapToObj(p -> stored(p, r.getEpoch())).toList();
        ReadResponse.Builder page = ReadResponse.newBuilder().setEpoch(r.getEpoch())
                .addAllMessages(range.subList(0, Math.min(r.getLimit(), range.size())))
                .setHasMore(range.size() > r.getLimit());
        if (r.getCount()) {
            page.setCount(range.size());
        }
        call.answer().complete(page.build());
    }

    @Test
    void aSlowReaderPausesTheReplayAndStillGetsEveryMessageOnceInOrder() throws Exception {
        SessionHarness.Connection c = gateway.connectAs("alice");
        gateway.handOver.liveFrom = LIVE_FROM;
        String epoch = gateway.layout.epochOf(ROOM);
        c.sink().hold(); // the client stops reading

        c.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(9).setRoom(ROOM)
                .setResumeFrom(ResumeFrom.newBuilder().setPosition(0).setEpoch(epoch))).build());
        serve(gateway.history.nextRead()); // the first page: 100 of the 1,000
        SessionHarness.Call<ReadRequest, ReadResponse> count = gateway.history.nextRead();
        assertThat(count.request().getCount()).as("a gap longer than a page is counted").isTrue();
        serve(count);

        // The queue filled to half its bound: the replay waits for the client, with no history read in flight.
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.gauge("gateway_resume_replays_waiting") == 1);
        assertThat(gateway.history.reads).as("no page is read ahead of the client").isEmpty();
        assertThat(gateway.gauge("gateway_outbound_queue_bytes")).isLessThanOrEqualTo(QUEUE_BYTES / 2.0);
        assertThat(gateway.gauge("gateway_resume_replays")).isEqualTo(1);

        // Live messages meanwhile, more than the resume buffer holds: some are dropped, to be read back.
        for (long p = LIVE_FROM; p < LIVE_FROM + LIVE; p++) {
            gateway.handOver.deliver(ROOM, p);
        }
        c.sink().release();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long reads = 2;
        boolean reread = false;
        while (!received(c, GAP + LIVE)) {
            assertThat(System.nanoTime()).as("the replay finished in time").isLessThan(deadline);
            SessionHarness.Call<ReadRequest, ReadResponse> read =
                    gateway.history.reads.poll(100, TimeUnit.MILLISECONDS);
            if (read != null) {
                assertThat(gateway.history.reads).as("one history read at a time").isEmpty();
                reread |= read.request().getUntil() > LIVE_FROM;
                reads++;
                serve(read);
            }
        }

        List<ServerFrame> frames = c.sink().frames();
        Subscribed subscribed = frames.get(1).getSubscribed();
        assertThat(subscribed.getRecovered()).isTrue();
        assertThat(subscribed.getReplayed()).isEqualTo((int) GAP);
        assertThat(subscribed.getNextPosition()).isEqualTo(LIVE_FROM);
        assertThat(frames.stream().filter(ServerFrame::hasMessage).map(f -> f.getMessage().getPosition()).toList())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, GAP + LIVE).boxed().toList());
        assertThat(reread).as("the dropped live messages were read back from history").isTrue();
        assertThat(reads).as("pages of 100, one count, at least one re-read").isGreaterThanOrEqualTo(12);
        assertThat(c.sink().closed()).isNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.gauge("gateway_resume_replays") == 0
                && gateway.gauge("gateway_resume_replays_waiting") == 0);
    }

    @Test
    void aPageHistoryCannotAnswerIsRetriedAndAnOutageClosesTheConnectionToResumeAgain() throws Exception {
        gateway.handOver.liveFrom = 301; // a gap of three pages
        String epoch = gateway.layout.epochOf(ROOM);
        SessionHarness.Connection blip = gateway.connectAs("alice");
        blip.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(1).setRoom(ROOM)
                .setResumeFrom(ResumeFrom.newBuilder().setPosition(0).setEpoch(epoch))).build());
        serve(gateway.history.nextRead());
        serve(gateway.history.nextRead()); // the count
        SessionHarness.Call<ReadRequest, ReadResponse> second = gateway.history.nextRead();
        second.answer().completeExceptionally(Status.DEADLINE_EXCEEDED.asRuntimeException());
        SessionHarness.Call<ReadRequest, ReadResponse> retry = gateway.history.nextRead();
        assertThat(retry.request().getPosition()).isEqualTo(second.request().getPosition());
        serve(retry);
        serve(gateway.history.nextRead());
        await().atMost(Duration.ofSeconds(10)).until(() -> received(blip, 300));
        assertThat(blip.sink().frames().stream().filter(ServerFrame::hasMessage)
                .map(f -> f.getMessage().getPosition()).toList())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 300).boxed().toList());
        assertThat(blip.sink().closed()).isNull();

        SessionHarness.Connection outage = gateway.connectAs("bob");
        outage.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(1).setRoom(ROOM)
                .setResumeFrom(ResumeFrom.newBuilder().setPosition(0).setEpoch(epoch))).build());
        serve(gateway.history.nextRead());
        serve(gateway.history.nextRead());
        for (int attempt = 0; attempt < 3; attempt++) {
            gateway.history.nextRead().answer().completeExceptionally(Status.UNAVAILABLE.asRuntimeException());
        }
        assertThat(outage.awaitClose().code()).isEqualTo(ErrorCode.SERVER_ERROR.getNumber());
        assertThat(outage.sink().frames().stream().filter(ServerFrame::hasMessage)).as("the first page").hasSize(100);
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.gauge("gateway_resume_replays") == 0);
    }

    private static boolean received(SessionHarness.Connection c, long position) {
        List<ServerFrame> frames = c.sink().frames();
        return !frames.isEmpty() && frames.getLast().hasMessage()
                && frames.getLast().getMessage().getPosition() >= position;
    }
}
