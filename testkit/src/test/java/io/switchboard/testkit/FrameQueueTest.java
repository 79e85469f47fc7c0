package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.proto.client.v1.Error;
import io.switchboard.proto.client.v1.Pong;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    // Nothing is ever added after it runs out: the wait cannot succeed, however the machine is loaded.
    private static final Duration NOTHING_COMES = Duration.ofMillis(20);

    private String state = "";
    private final FrameQueue queue = new FrameQueue(() -> state);

    private static ServerFrame pong(long nonce) {
        return ServerFrame.newBuilder().setPong(Pong.newBuilder().setNonce(nonce)).build();
    }

    @Test
    void framesComeOutInArrivalOrder() {
        queue.add(pong(1));
        queue.add(pong(2));
        assertThat(queue.next(WAIT).getPong().getNonce()).isEqualTo(1);
        assertThat(queue.poll().getPong().getNonce()).isEqualTo(2);
        assertThat(queue.poll()).isNull();
    }

    @Test
    void nextMatchingDiscardsTheFramesBeforeTheMatch() {
        queue.add(pong(1));
        queue.add(pong(2));
        queue.add(pong(3));
        assertThat(queue.nextMatching(f -> f.getPong().getNonce() == 2, WAIT).getPong().getNonce()).isEqualTo(2);
        assertThat(queue.next(WAIT).getPong().getNonce()).isEqualTo(3);
    }

    @Test
    void aWaitThatRunsOutSaysHowTheConnectionStands() {
        state = "; connection closed: Closed[code=3000, reason=drain]";
        assertThatThrownBy(() -> queue.next(NOTHING_COMES)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("no frame within").hasMessageEndingWith(state);
    }

    @Test
    void subscribedReturnsTheAnswerToItsRequestAndFailsOnItsError() {
        queue.add(ServerFrame.newBuilder().setSubscribed(Subscribed.newBuilder().setRequestId(1).setRoom("a")).build());
        queue.add(ServerFrame.newBuilder().setSubscribed(Subscribed.newBuilder().setRequestId(2).setRoom("b")).build());
        assertThat(queue.subscribed("b", 2, WAIT).getSubscribed().getRoom()).isEqualTo("b");

        queue.add(ServerFrame.newBuilder().setError(Error.newBuilder().setRequestId(3).setMessage("no")).build());
        assertThatThrownBy(() -> queue.subscribed("c", 3, WAIT)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("subscribe c failed");
    }

    @Test
    void drainToHandsOverEveryQueuedFrameInOrder() {
        queue.add(pong(1));
        queue.add(pong(2));
        List<Long> seen = new ArrayList<>();
        queue.drainTo(f -> seen.add(f.getPong().getNonce()));
        assertThat(seen).containsExactly(1L, 2L);
        assertThat(queue.poll()).isNull();
    }
}
