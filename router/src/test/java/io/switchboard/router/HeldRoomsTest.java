package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import org.junit.jupiter.api.Test;

class HeldRoomsTest {
    private static final ContextKey<String> CALLER = ContextKey.named("caller");
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final HeldRooms held = new HeldRooms(Runnable::run);

    @Test
    void aRoomWithNothingHeldRunsAtOnce() {
        held.run("a", null, ok -> ran.add("a1 " + ok));

        assertThat(ran).containsExactly("a1 true");
        assertThat(held.heldRooms()).isZero();
    }

    @Test
    void laterPublishesOfAWaitingRoomRunAfterItInArrivalOrderWhileOtherRoomsGoOn() {
        CompletableFuture<Boolean> catchUp = new CompletableFuture<>();

        held.run("a", catchUp, ok -> ran.add("a1 " + ok));
        held.run("a", null, ok -> ran.add("a2 " + ok));
        held.run("b", null, ok -> ran.add("b1 " + ok));
        held.run("a", null, ok -> ran.add("a3 " + ok));

        assertThat(ran).containsExactly("b1 true");
        assertThat(held.heldRooms()).isEqualTo(1);

        catchUp.complete(true);

        assertThat(ran).containsExactly("b1 true", "a1 true", "a2 true", "a3 true");
        assertThat(held.heldRooms()).isZero();
        held.run("a", null, ok -> ran.add("a4 " + ok));
        assertThat(ran).endsWith("a4 true");
    }

    @Test
    void aSecondWaitInTheSameRoomRunsAfterTheFirstEvenWhenItEndsFirst() {
        CompletableFuture<Boolean> first = new CompletableFuture<>();
        CompletableFuture<Boolean> second = new CompletableFuture<>();

        held.run("a", first, ok -> ran.add("a1 " + ok));
        held.run("a", second, ok -> ran.add("a2 " + ok));
        second.complete(true);

        assertThat(ran).isEmpty();

        first.complete(false); // the catch-up timed out: the publish goes on, told so

        assertThat(ran).containsExactly("a1 false", "a2 true");
    }

    @Test
    void aHeldStepThatThrowsDoesNotStopTheRoom() {
        CompletableFuture<Boolean> catchUp = new CompletableFuture<>();

        held.run("a", catchUp, ok -> {
            throw new IllegalStateException("bug");
        });
        held.run("a", null, ok -> ran.add("a2 " + ok));
        catchUp.complete(true);

        assertThat(ran).containsExactly("a2 true");
        assertThat(held.heldRooms()).isZero();
    }

    @Test
    void aHeldStepRunsInTheTraceContextOfItsCallerNotOfTheThreadThatReleasedIt() {
        CompletableFuture<Boolean> catchUp = new CompletableFuture<>();
        Context.current().with(CALLER, "a1").wrap(() ->
                held.run("a", catchUp, ok -> ran.add("a1 in " + Context.current().get(CALLER)))).run();
        Context.current().with(CALLER, "a2").wrap(() ->
                held.run("a", null, ok -> ran.add("a2 in " + Context.current().get(CALLER)))).run();

        // The executor runs each held step on the thread that released it: here, inside another context.
        Context.current().with(CALLER, "log index").wrap(() -> {
            catchUp.complete(true);
        }).run();

        assertThat(ran).containsExactly("a1 in a1", "a2 in a2");
        assertThat(Context.current().get(CALLER)).isNull();
    }
}
