package io.switchboard.router;

import io.grpc.Status;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

class PublishStatusTest {
    @Test
    void kafkaFailuresAreUnavailableWithTheCauseInTheDescription() {
        Status status = PublishStatus.appendFailed(new CompletionException(new TimeoutException("expired")));

        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo("kafka did not acknowledge: TimeoutException: expired");
        assertThat(PublishStatus.outcomeOf(status)).isEqualTo(RouterMetrics.Outcome.UNAVAILABLE);
        assertThat(PublishStatus.appendFailed(new NotLeaderOrFollowerException("moved")).getCode())
                .isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void aRecordKafkaWillNeverTakeIsNotRetriable() {
        Status status = PublishStatus.appendFailed(new RecordTooLargeException("too large"));

        assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(status.getDescription()).contains("too large");
    }

    @Test
    void outcomesFollowTheStatusCode() {
        assertThat(PublishStatus.outcomeOf(PublishStatus.invalid("x"))).isEqualTo(RouterMetrics.Outcome.INVALID);
        assertThat(PublishStatus.outcomeOf(PublishStatus.tooManyInFlight()))
                .isEqualTo(RouterMetrics.Outcome.EXHAUSTED);
        assertThat(PublishStatus.outcomeOf(Status.DEADLINE_EXCEEDED)).isEqualTo(RouterMetrics.Outcome.CANCELLED);
    }
}
