package io.switchboard.gateway.routing;

import java.util.concurrent.CompletionException;

import io.grpc.Status;
import io.switchboard.proto.RouterErrorReason;
import io.switchboard.proto.client.v1.ErrorCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StatusMapperTest {

    @ParameterizedTest(name = "{0} {1} ''{2}'' -> {3}")
    @CsvSource({
            "INVALID_REQUEST, INVALID_ARGUMENT, 'room: bad', BAD_REQUEST, false",
            "ID_REUSED, INVALID_ARGUMENT, 'id: reused', BAD_REQUEST, false",
            "PAYLOAD_TOO_LARGE, RESOURCE_EXHAUSTED, 'payload: 70000 bytes (expected: <= 65536)', PAYLOAD_TOO_LARGE, false",
            // Kafka's own wording, which never says "payload": the reason decides, not the words.
            "RECORD_TOO_LARGE, RESOURCE_EXHAUSTED, 'kafka: The request included a message larger than the max message size the server will accept.', PAYLOAD_TOO_LARGE, false",
            "TOO_MANY_IN_FLIGHT, RESOURCE_EXHAUSTED, 'a payload of words', RATE_LIMITED, true",
            "KAFKA_UNAVAILABLE, UNAVAILABLE, 'kafka did not acknowledge', UNAVAILABLE, true",
            "PRESENCE_NOT_CONFIGURED, UNAVAILABLE, 'presence not configured', UNAVAILABLE, true",
            "PRESENCE_UNAVAILABLE, UNAVAILABLE, 'presence lookup failed', UNAVAILABLE, true",
            "CALL_ENDED, CANCELLED, 'call ended', TIMEOUT, true",
    })
    void aRoutersReasonDecides(RouterErrorReason reason, Status.Code code, String description, ErrorCode expected,
                               boolean retriable) {
        ClientError e = StatusMapper.map(new CompletionException(
                reason.toException(Status.fromCode(code).withDescription(description))));
        assertThat(e.code()).isEqualTo(expected);
        assertThat(e.retriable()).isEqualTo(retriable);
    }

    @ParameterizedTest
    @EnumSource(RouterErrorReason.class)
    void everyReasonHasItsEntry(RouterErrorReason reason) {
        assertThat(StatusMapper.map(reason, "").code()).isNotEqualTo(ErrorCode.INTERNAL);
    }

    @ParameterizedTest(name = "{0} ''{1}'' -> {2}")
    @CsvSource({
            "INVALID_ARGUMENT, 'room: bad', BAD_REQUEST, false",
            // Without a reason the words are not read: even "payload" stays RATE_LIMITED.
            "RESOURCE_EXHAUSTED, 'payload: 70000 bytes (expected: <= 65536)', RATE_LIMITED, true",
            "UNAVAILABLE, 'connection refused', UNAVAILABLE, true",
            "DEADLINE_EXCEEDED, '', TIMEOUT, true",
            "PERMISSION_DENIED, 'no', PERMISSION_DENIED, false",
            "INTERNAL, 'boom', INTERNAL, true",
            "UNKNOWN, 'what', INTERNAL, true",
            "NOT_FOUND, 'x', INTERNAL, true",
    })
    void withoutAReasonTheCodeDecides(Status.Code code, String description, ErrorCode expected, boolean retriable) {
        ClientError e = StatusMapper.map(Status.fromCode(code).withDescription(description).asRuntimeException());
        assertThat(e.code()).isEqualTo(expected);
        assertThat(e.retriable()).isEqualTo(retriable);
    }

    @Test
    void keepsTheRoutersDescriptionForBadRequests() {
        assertThat(StatusMapper.map(RouterErrorReason.INVALID_REQUEST.toException(
                Status.INVALID_ARGUMENT.withDescription("id: 'x y' (expected: ...)"))).message())
                .isEqualTo("id: 'x y' (expected: ...)");
    }

    @Test
    void unwrapsFutureExceptionsAndMapsForeignOnesToInternal() {
        ClientError e = StatusMapper.map(new CompletionException(Status.UNAVAILABLE.asRuntimeException()));
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(StatusMapper.map(new IllegalStateException("bug")).code()).isEqualTo(ErrorCode.INTERNAL);
    }

    @Test
    void retriableFollowsTheProtocolRanges() {
        for (ErrorCode code : ErrorCode.values()) {
            if (code == ErrorCode.UNRECOGNIZED) {
                continue;
            }
            int n = code.getNumber();
            if (n >= 100 && n < 200) {
                assertThat(ClientError.retriable(code)).as(code.name()).isTrue();
            } else {
                assertThat(ClientError.retriable(code)).as(code.name()).isFalse();
            }
        }
    }
}
