package io.switchboard.client;

import static io.switchboard.client.SwitchboardClientTest.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connected;
import io.switchboard.proto.client.v1.DirectMessage;
import io.switchboard.proto.client.v1.Error;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Stored direct messages (docs/protocol.md section 11.3) go through the publisher like publishes: queued offline,
 * resent with their ids, in call order per target user. Against a fake transport on a manual scheduler.
 */
class StoredDirectMessagesTest {
    private static final Connected WITH_INBOX = Connected.newBuilder().setSessionId("s").setUserId("u")
            .setInbox("inbox:u").setInboxEpoch("t:0").build();

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final FakeConnector server = new FakeConnector(clock);
    @AutoClose
    private SwitchboardClient client;

    private SwitchboardClient start(UnaryOperator<SwitchboardClient.Builder> builder) {
        client = builder.apply(SwitchboardClientTest.onFakeServer(clock, scheduler, server)).build();
        client.connect();
        return client;
    }

    private CompletableFuture<Ack> send(String user, String id) {
        return client.sendToUser(user, id, id.getBytes(StandardCharsets.UTF_8), "text/plain", true);
    }

    private List<DirectMessage> sent() {
        return server.current().sent(ClientFrame::hasDirect).stream().map(ClientFrame::getDirect).toList();
    }

    private void ack(DirectMessage direct, long position, boolean duplicate) {
        server.current().server(ServerFrame.newBuilder().setAck(Ack.newBuilder().setRequestId(direct.getRequestId())
                .setRoom("inbox:" + direct.getUserId()).setId(direct.getId()).setPosition(position).setEpoch("t:0")
                .setDuplicate(duplicate)).build());
    }

    private void unavailable(DirectMessage direct) {
        server.current().server(ServerFrame.newBuilder().setError(Error.newBuilder().setRequestId(direct.getRequestId())
                .setCode(ErrorCode.UNAVAILABLE).setRetriable(true)).build());
    }

    @Test
    void queuedWhileOfflineSentInCallOrderOnConnectAndResentWithTheSameIdsAfterALoss() {
        start(b -> b);
        CompletableFuture<Ack> first = send("bob", "dm-1");
        CompletableFuture<Ack> second = send("bob", "dm-2");
        CompletableFuture<Ack> third = send("bob", "dm-3");
        assertThat(sent()).isEmpty(); // not connected yet: queued, not failed
        assertThat(first).isNotDone();

        server.current().accept(WITH_INBOX);
        assertThat(sent()).extracting(DirectMessage::getId).containsExactly("dm-1", "dm-2", "dm-3");
        assertThat(sent()).allSatisfy(d -> {
            assertThat(d.getStored()).isTrue();
            assertThat(d.getUserId()).isEqualTo("bob");
            assertThat(d.getContentType()).isEqualTo("text/plain");
        });
        ack(sent().get(0), 10, false);
        assertThat(first.join()).satisfies(a -> {
            assertThat(a.getRoom()).isEqualTo("inbox:bob");
            assertThat(a.getPosition()).isEqualTo(10);
            assertThat(a.getEpoch()).isEqualTo("t:0");
        });

        server.current().abort(); // dm-2 and dm-3 were on their way
        scheduler.advance(Duration.ofSeconds(2));
        CompletableFuture<Ack> fourth = send("bob", "dm-4"); // while reconnecting: behind the resends
        server.current().accept(WITH_INBOX);
        assertThat(sent()).extracting(DirectMessage::getId).containsExactly("dm-2", "dm-3", "dm-4");
        ack(sent().get(0), 11, true); // stored before the loss: the original position
        ack(sent().get(1), 12, false);
        ack(sent().get(2), 13, false);
        assertThat(second.join().getDuplicate()).isTrue();
        assertThat(second.join().getPosition()).isEqualTo(11);
        assertThat(third.join().getDuplicate()).isFalse();
        assertThat(fourth.join().getPosition()).isEqualTo(13);
    }

    @Test
    void aRetryHoldsTheLaterMessagesToItsUserOnlyAndTheyFollowItInOrder() {
        start(b -> b);
        server.current().accept(WITH_INBOX);
        send("bob", "b-1");
        send("bob", "b-2");
        CompletableFuture<Ack> toCarol = send("carol", "c-1");
        List<DirectMessage> first = sent();
        // The gateway refuses b-1 (retriable), then b-2 behind it.
        unavailable(first.get(0));
        unavailable(first.get(1));
        send("bob", "b-3");
        send("carol", "c-2");
        assertThat(sent()).extracting(DirectMessage::getId).as("carol's lane is not held by bob's")
                .containsExactly("b-1", "b-2", "c-1", "c-2");
        ack(first.get(2), 1, false);
        assertThat(toCarol).isCompleted();

        ack(sent().get(3), 2, false);

        // The retries go out (each resend waits while one of its lane is on its way), acknowledged as they come.
        Set<Integer> answered = new HashSet<>();
        sent().forEach(d -> answered.add(d.getRequestId()));
        for (int round = 0; round < 10 && sent().size() < 7; round++) {
            scheduler.advance(Duration.ofSeconds(1));
            for (DirectMessage d : sent()) {
                if (answered.add(d.getRequestId())) {
                    ack(d, 10 + answered.size(), false);
                }
            }
        }
        assertThat(sent()).extracting(DirectMessage::getId).containsExactly("b-1", "b-2", "c-1", "c-2", "b-1", "b-2", "b-3");
    }

    @Test
    void theSameIdMayWaitForAnAckInARoomAndToAUserAtOnceButNotTwiceToOneUser() throws Exception {
        start(b -> b);
        server.current().accept(WITH_INBOX);
        CompletableFuture<Ack> published = client.publish("room", "x-1", new byte[] {1}, null);
        CompletableFuture<Ack> direct = send("bob", "x-1");
        CompletableFuture<Ack> again = send("bob", "x-1");
        assertThat(published).isNotDone();
        assertThat(direct).isNotDone();
        assertThat(failure(again)).isInstanceOf(SwitchboardException.class)
                .hasMessage("INVALID_ID: id: x-1 (expected: not already awaiting its ack to user bob)");
    }

    @Test
    void offlinePastThePublishTimeoutFailsRetriablyWithTimeout() throws Exception {
        start(b -> b.publishTimeout(Duration.ofSeconds(5)));
        server.refuse = true;
        server.current().abort();
        CompletableFuture<Ack> lost = send("bob", "dm-1");
        scheduler.advance(Duration.ofSeconds(6));
        assertThat(failure(lost)).isInstanceOfSatisfying(SwitchboardException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(e.retriable()).isTrue();
        });
    }

    @Test
    void aGatewayWithoutInboxesFailsThemWithBadRequestOnceItIsKnown() throws Exception {
        start(b -> b);
        CompletableFuture<Ack> queued = send("bob", "dm-1");
        server.current().accept(); // no inbox in Connected: an older gateway
        assertThat(sent()).isEmpty();
        assertThat(failure(queued)).isInstanceOfSatisfying(SwitchboardException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThat(failure(send("bob", "dm-2"))).isInstanceOfSatisfying(SwitchboardException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThatThrownBy(() -> send("bob", "bad id")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("id: 'bad id'");
        assertThatThrownBy(() -> send("", "dm-3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("userId: 0 characters (expected: 1-256)");
    }
}
