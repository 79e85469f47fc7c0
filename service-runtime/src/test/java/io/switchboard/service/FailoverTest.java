package io.switchboard.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FailoverTest {
    /** Each target answers with its status (OK answers its own name) and records that it was asked. */
    private final List<String> asked = new ArrayList<>();

    private CompletableFuture<String> ask(String target, Map<String, Status.Code> answers) {
        asked.add(target);
        Status.Code code = answers.getOrDefault(target, Status.Code.OK);
        return code == Status.Code.OK ? CompletableFuture.completedFuture(target)
                : CompletableFuture.failedFuture(Status.fromCode(code).withDescription(target).asRuntimeException());
    }

    @Test
    void unavailableMovesToTheNextTargetAndTheOneThatAnsweredIsAskedFirstNextTime() {
        Failover<String> failover = new Failover<>(List.of("a", "b", "c"));
        Map<String, Status.Code> answers = Map.of("a", Status.Code.UNAVAILABLE, "b", Status.Code.UNAVAILABLE);

        assertThat(failover.call(t -> ask(t, answers)).join()).isEqualTo("c");
        assertThat(asked).containsExactly("a", "b", "c");

        asked.clear();
        assertThat(failover.call(t -> ask(t, answers)).join()).isEqualTo("c");
        assertThat(asked).containsExactly("c");
    }

    @Test
    void everyTargetUnavailableFailsWithTheLastAnswerAfterAskingEachOnce() {
        Failover<String> failover = new Failover<>(List.of("a", "b"));
        Map<String, Status.Code> answers = Map.of("a", Status.Code.UNAVAILABLE, "b", Status.Code.UNAVAILABLE);

        assertThatThrownBy(() -> failover.call(t -> ask(t, answers)).get())
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(StatusRuntimeException.class)
                .hasMessage("UNAVAILABLE: b");
        assertThat(asked).containsExactly("a", "b");
    }

    @Test
    void otherFailuresAreNotRetriedElsewhere() {
        Failover<String> failover = new Failover<>(List.of("a", "b"));
        Map<String, Status.Code> answers = Map.of("a", Status.Code.DEADLINE_EXCEEDED);

        assertThatThrownBy(() -> failover.call(t -> ask(t, answers)).get()).cause()
                .hasMessage("DEADLINE_EXCEEDED: a");
        assertThat(asked).containsExactly("a");
    }

    @Test
    void aTargetThatThrowsCountsAsItsFailure() {
        Failover<String> failover = new Failover<>(List.of("a", "b"));

        CompletableFuture<String> result = failover.call(t -> {
            if (t.equals("a")) {
                throw Status.UNAVAILABLE.withDescription("channel shut down").asRuntimeException();
            }
            return CompletableFuture.completedFuture(t);
        });

        assertThat(result.join()).isEqualTo("b");
    }

    @Test
    void noTargetsIsRefused() {
        assertThatThrownBy(() -> new Failover<>(List.of())).hasMessage("targets: [] (expected: at least one)");
    }
}
