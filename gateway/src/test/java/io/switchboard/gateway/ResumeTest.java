package io.switchboard.gateway;

import java.util.ArrayList;
import java.util.List;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.Ping;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Subscribe with resume_from against a real Kafka and a fake history service: replay of exactly the missed
 * messages, the hand-over to live while publishing continues, and every way recovery can fail.
 */
class ResumeTest {
    private static final int MAX_MESSAGES = 10;
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> c.set(GatewayKeys.RESUME_PAGE_SIZE, 3)
                .set(GatewayKeys.RESUME_MAX_MESSAGES, MAX_MESSAGES));
    }

    @AfterEach
    void historyBackToNormal() {
        h.history.mode(FakeHistory.Mode.KAFKA);
        h.history.release();
    }

    @Test
    void replaysExactlyTheMissedMessagesThenLiveWithNoGapOrDuplicateWhilePublishing() throws Exception {
        String room = "resume:handover";
        try (HistoryClients c = HistoryClients.open(h, room, Subprotocol.JSON)) {
            List<Long> positions = new ArrayList<>(publish(c.pub(), room, "before", 6));
            // Once the gateway has fanned all six out they lie below the hand-over point: the resume must replay
            // the four after `seen` from history (without this wait some could still arrive live).
            String epoch = c.epochOnceFannedOut(positions.getLast());
            long seen = positions.get(1); // the client processed messages 0 and 1

            h.history.hold();
            int rid = resume(c.reader(), room, seen, epoch);
            assertThat(h.history.awaitHeld(WAIT)).isTrue();
            // Published while the replay is held: the fan-out buffers them for the resumer. The watcher receiving
            // the last one proves the fan-out thread has dispatched them (to every local subscriber) already.
            List<Long> during = publish(c.pub(), room, "during", 3);
            positions.addAll(during);
            awaitMessage(c.watcher(), during.getLast());
            h.history.release();
            // And more racing with the hand-over itself.
            positions.addAll(publish(c.pub(), room, "after", 5));

            Subscribed s = recovered(c.reader(), rid);
            assertThat(s.getReplayed()).isEqualTo(4);
            assertThat(s.getEpoch()).isEqualTo(epoch);

            List<Long> expected = positions.subList(2, positions.size());
            List<Message> received = receiveUntil(c.reader(), expected.getLast());
            assertThat(received).extracting(Message::getPosition).containsExactlyElementsOf(expected);
            assertThat(received).extracting(Message::getRoom).containsOnly(room);
            assertThat(received.getFirst().getId()).isEqualTo("before-2");
            assertThat(received.getFirst().getSender()).isEqualTo("pub");
            // Replay pages went only up to the hand-over point.
            assertThat(h.history.requests()).filteredOn(r -> r.getRoom().equals(room))
                    .allSatisfy(r -> assertThat(r.getUntil()).isGreaterThan(positions.get(5))
                            .isLessThanOrEqualTo(during.getFirst()));
        }
    }

    @Test
    void epochMismatchIsReportedAndTheSubscriptionGoesLive() {
        String room = "resume:epoch";
        try (WsTestClient pub = h.connect(Subprotocol.PROTO, "pub");
             WsTestClient resumer = h.connect(Subprotocol.PROTO, "resumer")) {
            resume(resumer, room, 5, "another-topic:0");
            assertThat(notRecovered(resumer, RecoveryFailure.EPOCH_CHANGED).getReplayed()).isZero();
            long live = publish(pub, room, "live", 1).getFirst();
            assertThat(resumer.nextMatching(ServerFrame::hasMessage, WAIT).getMessage().getPosition()).isEqualTo(live);
        }
    }

    @Test
    void positionOlderThanRetentionIsReportedAsExpired() {
        String room = "resume:expired";
        try (HistoryClients c = HistoryClients.open(h, room, Subprotocol.PROTO)) {
            List<Long> stored = publish(c.pub(), room, "m", 2);
            String epoch = c.epochOnceFannedOut(stored.getLast());
            h.history.mode(FakeHistory.Mode.OUT_OF_RANGE);
            resume(c.reader(), room, 0, epoch);
            notRecovered(c.reader(), RecoveryFailure.POSITION_EXPIRED);
            long live = publish(c.pub(), room, "live", 1).getFirst();
            ServerFrame next = c.reader().nextMatching(f -> f.hasMessage() || f.hasError(), WAIT);
            assertThat(next.getMessage().getPosition()).as("no replay, straight to live").isEqualTo(live);
            assertThat(stored).allSatisfy(p -> assertThat(p).isLessThan(live));
        }
    }

    @Test
    void tooManyMissedMessagesReplaysNothingAndGoesLive() {
        String room = "resume:far";
        try (HistoryClients c = HistoryClients.open(h, room, Subprotocol.PROTO)) {
            List<Long> stored = publish(c.pub(), room, "m", MAX_MESSAGES + 3);
            resume(c.reader(), room, stored.getFirst() - 1, c.epochOnceFannedOut(stored.getLast()));
            assertThat(notRecovered(c.reader(), RecoveryFailure.TOO_FAR_BEHIND).getReplayed()).isZero();
            long live = publish(c.pub(), room, "live", 1).getFirst();
            assertThat(c.reader().nextMatching(ServerFrame::hasMessage, WAIT).getMessage().getPosition())
                    .isEqualTo(live);
        }
    }

    @Test
    void historyDownAnswersRecoveryUnavailableWithoutSubscribingAndARetryRecovers() {
        String room = "resume:down";
        try (HistoryClients c = HistoryClients.open(h, room, Subprotocol.PROTO)) {
            List<Long> stored = publish(c.pub(), room, "m", 3);
            String epoch = c.epochOnceFannedOut(stored.getLast());
            h.history.mode(FakeHistory.Mode.UNAVAILABLE);
            int rid = resume(c.reader(), room, stored.getFirst(), epoch);
            ServerFrame reply = c.reader().next(WAIT);
            assertThat(reply.hasError()).as(reply.toString()).isTrue();
            assertThat(reply.getError().getRequestId()).isEqualTo(rid);
            assertThat(reply.getError().getCode()).isEqualTo(ErrorCode.RECOVERY_UNAVAILABLE);
            assertThat(reply.getError().getRetriable()).isTrue();
            assertThat(reply.getError().getRoom()).isEqualTo(room);

            // Not subscribed: a new message reaches the watcher but not the resumer (its next frame is the Pong).
            long missed = publish(c.pub(), room, "missed", 1).getFirst();
            awaitMessage(c.watcher(), missed);
            c.reader().send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(7)).build());
            assertThat(c.reader().next(WAIT).hasPong()).isTrue();

            // History back: the retry is not answered from a cached failure, and recovers everything missed.
            h.history.mode(FakeHistory.Mode.KAFKA);
            resume(c.reader(), room, stored.getFirst(), epoch);
            Subscribed s = c.reader().nextMatching(ServerFrame::hasSubscribed, WAIT).getSubscribed();
            assertThat(s.getRecovered()).isTrue();
            assertThat(s.getReplayed()).isEqualTo(3);
            assertThat(receiveUntil(c.reader(), missed)).extracting(Message::getPosition)
                    .containsExactly(stored.get(1), stored.get(2), missed);
        }
    }

    @Test
    void nothingMissedRecoversWithoutAskingHistory() {
        String room = "resume:current";
        try (HistoryClients c = HistoryClients.open(h, room, Subprotocol.PROTO)) {
            long last = publish(c.pub(), room, "m", 1).getFirst();
            resume(c.reader(), room, last, c.epochOnceFannedOut(last));
            Subscribed s = c.reader().nextMatching(ServerFrame::hasSubscribed, WAIT).getSubscribed();
            assertThat(s.getRecovered()).isTrue();
            assertThat(s.getReplayed()).isZero();
            assertThat(h.history.readsOf(room)).isZero();
        }
    }

    @Test
    void concurrentResumesOfOneRoomFromOnePositionShareTheirStoreReads() throws Exception {
        String room = "resume:storm";
        int clients = 20;
        List<WsTestClient> resumers = new ArrayList<>();
        try (WsTestClient pub = h.connect(Subprotocol.PROTO, "pub");
             WsTestClient watcher = h.connect(Subprotocol.PROTO, "watcher")) {
            watcher.subscribeAndWait(room, WAIT);
            List<Long> stored = publish(pub, room, "m", 5);
            awaitMessage(watcher, stored.getLast());
            String epoch = epochOf(watcher, room);
            double readsBefore = resumeReads();
            for (int i = 0; i < clients; i++) {
                resumers.add(h.connect(Subprotocol.PROTO, "storm-" + i));
            }
            h.history.hold();
            for (WsTestClient r : resumers) {
                resume(r, room, stored.getFirst(), epoch);
            }
            assertThat(h.history.awaitHeld(WAIT)).isTrue();
            h.history.release();
            for (WsTestClient r : resumers) {
                Subscribed s = r.nextMatching(ServerFrame::hasSubscribed, WAIT).getSubscribed();
                assertThat(s.getRecovered()).isTrue();
                assertThat(s.getReplayed()).isEqualTo(4);
                assertThat(receiveUntil(r, stored.getLast())).extracting(Message::getPosition)
                        .containsExactlyElementsOf(stored.subList(1, stored.size()));
            }
            // 4 messages in pages of 3 is two pages and a count of the gap: without coalescing 3 * 20 reads.
            long reads = h.history.readsOf(room);
            assertThat(reads).isBetween(3L, 5L);
            assertThat(resumeReads() - readsBefore).isEqualTo(reads);
        } finally {
            resumers.forEach(WsTestClient::close);
        }
    }

    private static double resumeReads() throws Exception {
        return h.metric("gateway_history_reads_total{kind=\"resume\"}")
                + h.metric("gateway_history_reads_total{kind=\"resume_count\"}");
    }

    /**
     * The three clients of a test that reads a room's stored messages back, closed together: {@code pub}
     * publishes, {@code watcher} (subscribed when opened) shows what the gateway has fanned out, {@code reader}
     * resumes or pages through history.
     */
    record HistoryClients(String room, WsTestClient pub, WsTestClient watcher, WsTestClient reader)
            implements AutoCloseable {
        static HistoryClients open(GatewayHarness h, String room, Subprotocol readerSubprotocol) {
            List<WsTestClient> opened = new ArrayList<>(3);
            try {
                opened.add(h.connect(Subprotocol.PROTO, "pub"));
                opened.add(h.connect(Subprotocol.PROTO, "watcher"));
                opened.add(h.connect(readerSubprotocol, "reader"));
                opened.get(1).subscribeAndWait(room, WAIT);
                return new HistoryClients(room, opened.get(0), opened.get(1), opened.get(2));
            } catch (RuntimeException | Error e) {
                opened.reversed().forEach(WsTestClient::close);
                throw e;
            }
        }

        /**
         * Waits until the watcher got the message at {@code position}: once the gateway has fanned it out, it and
         * every message before it lie below the hand-over point (history, not live). Returns the room's epoch.
         */
        String epochOnceFannedOut(long position) {
            awaitMessage(watcher, position);
            return epochOf(watcher, room);
        }

        /** Closes the clients in reverse order, each even when closing one before it failed. */
        @Override
        public void close() {
            try {
                reader.close();
            } finally {
                try {
                    watcher.close();
                } finally {
                    pub.close();
                }
            }
        }
    }

    /** The resumer's answer to resume request {@code rid}: a Subscribed (not an Error) that recovered. */
    static Subscribed recovered(WsTestClient resumer, int rid) {
        ServerFrame first = resumer.nextMatching(f -> f.hasSubscribed() || f.hasError(), WAIT);
        assertThat(first.hasSubscribed()).as(first.toString()).isTrue();
        Subscribed s = first.getSubscribed();
        assertThat(s.getRequestId()).isEqualTo(rid);
        assertThat(s.getRecovered()).isTrue();
        return s;
    }

    /** The resumer's answer to a resume that cannot recover: a Subscribed, not recovered, for {@code why}. */
    static Subscribed notRecovered(WsTestClient resumer, RecoveryFailure why) {
        Subscribed s = resumer.nextMatching(ServerFrame::hasSubscribed, WAIT).getSubscribed();
        assertThat(s.getRecovered()).isFalse();
        assertThat(s.getRecoveryFailure()).isEqualTo(why);
        return s;
    }

    static int resume(WsTestClient c, String room, long position, String epoch) {
        int id = c.nextRequestId();
        c.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(id).setRoom(room)
                .setResumeFrom(ResumeFrom.newBuilder().setPosition(position).setEpoch(epoch))).build());
        return id;
    }

    /** Publishes {@code n} messages one after another (each acked before the next) and returns their positions. */
    static List<Long> publish(WsTestClient pub, String room, String prefix, int n) {
        List<Long> positions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int rid = pub.publish(room, prefix + "-" + i, prefix + " " + i);
            ServerFrame ack = pub.nextMatching(f -> (f.hasAck() && f.getAck().getRequestId() == rid)
                    || (f.hasError() && f.getError().getRequestId() == rid), WAIT);
            assertThat(ack.hasAck()).as(ack.toString()).isTrue();
            positions.add(ack.getAck().getPosition());
        }
        return positions;
    }

    /** The room's epoch, from a plain re-subscribe of {@code c} (harmless; discards frames received meanwhile). */
    static String epochOf(WsTestClient c, String room) {
        int id = c.subscribe(room);
        return c.nextMatching(f -> f.hasSubscribed() && f.getSubscribed().getRequestId() == id, WAIT)
                .getSubscribed().getEpoch();
    }

    static void awaitMessage(WsTestClient c, long position) {
        c.nextMatching(f -> f.hasMessage() && f.getMessage().getPosition() == position, WAIT);
    }

    /** Every Message frame up to and including {@code lastPosition}, failing on any other frame but Ack. */
    static List<Message> receiveUntil(WsTestClient c, long lastPosition) {
        List<Message> out = new ArrayList<>();
        while (true) {
            ServerFrame f = c.next(WAIT);
            if (f.hasAck()) {
                continue;
            }
            assertThat(f.hasMessage()).as("unexpected frame " + f).isTrue();
            out.add(f.getMessage());
            if (f.getMessage().getPosition() >= lastPosition) {
                return out;
            }
        }
    }
}
