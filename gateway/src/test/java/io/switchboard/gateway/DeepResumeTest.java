package io.switchboard.gateway;

import java.util.ArrayList;
import java.util.List;

import io.switchboard.gateway.ResumeTest.HistoryClients;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.testkit.Subprotocol;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static io.switchboard.gateway.ResumeTest.awaitMessage;
import static io.switchboard.gateway.ResumeTest.publish;
import static io.switchboard.gateway.ResumeTest.receiveUntil;
import static io.switchboard.gateway.ResumeTest.recovered;
import static io.switchboard.gateway.ResumeTest.resume;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A resume ten times deeper than the 1,000 messages at which a resume used to give up with TOO_FAR_BEHIND,
 * against a real Kafka and a fake history service: the gap streams page by page, the live messages published
 * while it streams (more than the resume buffer holds, so some are read back from history) follow it, and the
 * client sees every message exactly once, in order.
 */
class DeepResumeTest {
    private static final int MISSED = 10_000;
    private static final int PAGE = 1_000;
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> c.set(GatewayKeys.RESUME_PAGE_SIZE, PAGE)
                // A 2 KiB resume buffer (it may not be smaller than a frame): a few live messages overflow it.
                .set(GatewayKeys.MAX_FRAME_BYTES, 2048)
                .set(GatewayKeys.MAX_PAYLOAD_BYTES, 1024)
                .set(GatewayKeys.MAX_EPHEMERAL_BYTES, 512)
                .set(GatewayKeys.RESUME_MAX_BUFFER_BYTES, 2048L));
    }

    @Test
    void tenThousandMissedThenTheLiveOnesArriveEachOnceInOrder() throws Exception {
        String room = "resume:deep";
        try (HistoryClients c = HistoryClients.open(h, room, Subprotocol.JSON)) {
            long seen = publish(c.pub(), room, "seen", 1).getFirst();
            List<Long> missed = h.router.storeAll(room, "pub", "missed", MISSED);
            String epoch = c.epochOnceFannedOut(missed.getLast());

            h.history.hold();
            int rid = resume(c.reader(), room, seen, epoch);
            assertThat(h.history.awaitHeld(WAIT)).isTrue();
            // Published while the first page is held: held for the resumer, more than its 2 KiB buffer.
            List<Long> live = new ArrayList<>(publish(c.pub(), room, "held", 30));
            awaitMessage(c.watcher(), live.getLast());
            h.history.release();

            Subscribed s = recovered(c.reader(), rid);
            assertThat(s.getReplayed()).isEqualTo(MISSED);
            assertThat(s.getNextPosition()).isGreaterThan(missed.getLast()).isLessThanOrEqualTo(live.getFirst());
            // And more while the replay streams.
            live.addAll(publish(c.pub(), room, "streaming", 30));

            List<Message> received = receiveUntil(c.reader(), live.getLast());
            List<Long> expected = new ArrayList<>(missed);
            expected.addAll(live);
            assertThat(received).extracting(Message::getPosition).containsExactlyElementsOf(expected);
            assertThat(received.getFirst().getId()).isEqualTo("missed-0");
            assertThat(received.get(MISSED - 1).getId()).isEqualTo("missed-" + (MISSED - 1));
            assertThat(received.get(MISSED).getId()).isEqualTo("held-0");
            // Pages of PAGE up to the hand-over point, one count; the overflowed live ones were read back.
            List<ReadRequest> reads = h.history.requests().stream()
                    .filter(r -> r.getRoom().equals(room)).toList();
            assertThat(reads).filteredOn(ReadRequest::getCount).hasSize(1);
            assertThat(reads).filteredOn(r -> r.getUntil() == s.getNextPosition()).hasSize(MISSED / PAGE + 1);
            assertThat(reads).as("a re-read of the live messages the resume buffer dropped")
                    .anySatisfy(r -> assertThat(r.getUntil()).isGreaterThan(s.getNextPosition()));
            await().atMost(WAIT).until(() -> h.metric("gateway_resume_replays") == 0);
        }
    }
}
