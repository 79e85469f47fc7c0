package io.switchboard.gateway;

import java.util.List;

import io.switchboard.gateway.ResumeTest.HistoryClients;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.HistoryDirection;
import io.switchboard.proto.client.v1.HistoryPage;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/** HistoryRequest frames: paging both directions, messages identical to live ones, and the error mapping. */
class HistoryRequestTest {
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> { });
    }

    @AfterEach
    void historyBackToNormal() {
        h.history.mode(FakeHistory.Mode.KAFKA);
    }

    @Test
    void pagesBackwardAndForwardWithTheSameMessagesAsLive() {
        String room = "hist:paging";
        try (HistoryClients c = HistoryClients.open(h, room, Subprotocol.JSON)) {
            WsTestClient reader = c.reader();
            List<Long> p = ResumeTest.publish(c.pub(), room, "m", 7);
            List<Message> live = ResumeTest.receiveUntil(c.watcher(), p.getLast());
            assertThat(live).hasSize(7);

            HistoryPage latest = page(reader, room, HistoryDirection.LATEST, 0, 3);
            assertPage(latest, live.subList(4, 7), true);
            assertThat(latest.getEpoch()).isEqualTo(live.getFirst().getEpoch());
            HistoryPage earlier = page(reader, room, HistoryDirection.BEFORE, p.get(4), 3);
            assertPage(earlier, live.subList(1, 4), true);
            HistoryPage first = page(reader, room, HistoryDirection.BEFORE, p.get(1), 3);
            assertPage(first, live.subList(0, 1), false);

            HistoryPage after = page(reader, room, HistoryDirection.AFTER, p.get(0), 4);
            assertPage(after, live.subList(1, 5), true);
            HistoryPage rest = page(reader, room, HistoryDirection.AFTER, p.get(4), 0);
            assertPage(rest, live.subList(5, 7), false);
        }
    }

    @Test
    void aRoomWithNothingStoredIsAnEmptyPage() {
        try (WsTestClient reader = h.connect(Subprotocol.PROTO, "reader")) {
            HistoryPage empty = page(reader, "hist:never-written", HistoryDirection.LATEST, 0, 0);
            assertThat(empty.getMessagesList()).isEmpty();
            assertThat(empty.getHasMore()).isFalse();
            assertThat(empty.getEpoch()).isNotEmpty();
        }
    }

    @Test
    void errorsAreMappedToClientCodes() {
        String room = "hist:errors";
        try (WsTestClient reader = h.connect(Subprotocol.PROTO, "reader")) {
            assertThat(error(reader, request(reader, room, HistoryDirection.LATEST, 0, 501, "")).getCode())
                    .isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(error(reader, request(reader, "bad room", HistoryDirection.LATEST, 0, 0, "")).getCode())
                    .isEqualTo(ErrorCode.INVALID_ROOM);
            io.switchboard.proto.client.v1.Error epoch =
                    error(reader, request(reader, room, HistoryDirection.LATEST, 0, 0, "other:0"));
            assertThat(epoch.getCode()).isEqualTo(ErrorCode.EPOCH_MISMATCH);
            assertThat(epoch.getRetriable()).isFalse();
            h.history.mode(FakeHistory.Mode.OUT_OF_RANGE);
            assertThat(error(reader, request(reader, room, HistoryDirection.AFTER, 1, 0, "")).getCode())
                    .isEqualTo(ErrorCode.BAD_REQUEST);
            h.history.mode(FakeHistory.Mode.UNAVAILABLE);
            io.switchboard.proto.client.v1.Error down =
                    error(reader, request(reader, room, HistoryDirection.LATEST, 0, 0, ""));
            assertThat(down.getCode()).isEqualTo(ErrorCode.RECOVERY_UNAVAILABLE);
            assertThat(down.getRetriable()).isTrue();
            assertThat(down.getRoom()).isEqualTo(room);
        }
    }

    private static int request(WsTestClient c, String room, HistoryDirection direction, long position, int limit,
                               String epoch) {
        int id = c.nextRequestId();
        c.send(ClientFrame.newBuilder().setHistory(HistoryRequest.newBuilder().setRequestId(id).setRoom(room)
                .setDirection(direction).setPosition(position).setLimit(limit).setEpoch(epoch)).build());
        return id;
    }

    private static ServerFrame reply(WsTestClient c, int id) {
        return c.nextMatching(f -> (f.hasHistoryPage() && f.getHistoryPage().getRequestId() == id)
                || (f.hasError() && f.getError().getRequestId() == id), WAIT);
    }

    private static HistoryPage page(WsTestClient c, String room, HistoryDirection direction, long position, int limit) {
        ServerFrame f = reply(c, request(c, room, direction, position, limit, ""));
        assertThat(f.hasHistoryPage()).as(f.toString()).isTrue();
        assertThat(f.getHistoryPage().getRoom()).isEqualTo(room);
        return f.getHistoryPage();
    }

    /** A page holds exactly {@code messages}, in order, and says whether there are more. */
    private static void assertPage(HistoryPage page, List<Message> messages, boolean hasMore) {
        assertThat(page.getMessagesList()).containsExactlyElementsOf(messages);
        assertThat(page.getHasMore()).isEqualTo(hasMore);
    }

    private static io.switchboard.proto.client.v1.Error error(WsTestClient c, int id) {
        ServerFrame f = reply(c, id);
        assertThat(f.hasError()).as(f.toString()).isTrue();
        return f.getError();
    }
}
