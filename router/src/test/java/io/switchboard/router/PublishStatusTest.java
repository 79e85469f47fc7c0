package io.switchboard.router;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.switchboard.proto.RouterErrorReason;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

class PublishStatusTest {
    @Test
    void kafkaFailuresAreUnavailableWithTheCauseInTheDescription() {
        RouterError error = PublishStatus.appendFailed(new CompletionException(new TimeoutException("expired")));

        assertThat(error.code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(error.description()).isEqualTo("kafka did not acknowledge: TimeoutException: expired");
        assertThat(error.reason()).isEqualTo(RouterErrorReason.KAFKA_UNAVAILABLE);
        assertThat(PublishStatus.outcomeOf(error)).isEqualTo(RouterMetrics.Outcome.UNAVAILABLE);
        assertThat(PublishStatus.appendFailed(new NotLeaderOrFollowerException("moved")).code())
                .isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void aRecordKafkaWillNeverTakeIsNotRetriableAndSaysSoInItsReason() {
        RouterError error = PublishStatus.appendFailed(new RecordTooLargeException("too large"));

        assertThat(error.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(error.description()).contains("too large");
        assertThat(error.reason()).isEqualTo(RouterErrorReason.RECORD_TOO_LARGE);
    }

    @Test
    void theReasonTravelsInTheStatusDetailsBesideCodeAndDescription() {
        StatusRuntimeException sent = PublishStatus.payloadTooLarge(70_000, 65_536).asException();

        // What the caller's stub sees (a future wraps it): code, description and the reason.
        CompletionException received = new CompletionException(sent);
        assertThat(Status.fromThrowable(received).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(Status.fromThrowable(received).getDescription()).isEqualTo("payload: 70000 bytes (expected: <= 65536)");
        assertThat(RouterErrorReason.of(received)).contains(RouterErrorReason.PAYLOAD_TOO_LARGE);
        assertThat(RouterErrorReason.of(PublishStatus.tooManyInFlight().asException()))
                .contains(RouterErrorReason.TOO_MANY_IN_FLIGHT);
        assertThat(RouterErrorReason.of(Status.RESOURCE_EXHAUSTED.asRuntimeException())).isEmpty();
    }

    @Test
    void outcomesFollowTheStatusCode() {
        assertThat(PublishStatus.outcomeOf(PublishStatus.invalid("x"))).isEqualTo(RouterMetrics.Outcome.INVALID);
        assertThat(PublishStatus.outcomeOf(PublishStatus.tooManyInFlight()))
                .isEqualTo(RouterMetrics.Outcome.EXHAUSTED);
        Context.CancellableContext ended = Context.current().withCancellation();
        ended.cancel(null);
        assertThat(PublishStatus.outcomeOf(PublishStatus.cancelled(ended))).isEqualTo(RouterMetrics.Outcome.CANCELLED);
    }
}
