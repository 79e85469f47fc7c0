package io.switchboard.gateway.routing;

import java.util.concurrent.CompletionException;

import io.grpc.Status;
import io.switchboard.proto.client.v1.ErrorCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StatusMapperTest {

    @ParameterizedTest(name = "{0} ''{1}'' -> {2}")
    @CsvSource({
            "INVALID_ARGUMENT, 'room: bad', BAD_REQUEST, false",
            "RESOURCE_EXHAUSTED, 'payload: 70000 bytes (expected: <= 65536)', PAYLOAD_TOO_LARGE, false",
            "RESOURCE_EXHAUSTED, 'too many publishes in flight', RATE_LIMITED, true",
            "UNAVAILABLE, 'kafka down', UNAVAILABLE, true",
            "DEADLINE_EXCEEDED, '', TIMEOUT, true",
            "PERMISSION_DENIED, 'no', PERMISSION_DENIED, false",
            "INTERNAL, 'boom', INTERNAL, true",
            "UNKNOWN, 'what', INTERNAL, true",
            "NOT_FOUND, 'x', INTERNAL, true",
    })
    void mapsTheTable(Status.Code code, String description, ErrorCode expected, boolean retriable) {
        ClientError e = StatusMapper.map(Status.fromCode(code).withDescription(description));
        assertThat(e.code()).isEqualTo(expected);
        assertThat(e.retriable()).isEqualTo(retriable);
    }

    @Test
    void keepsTheRoutersDescriptionForBadRequests() {
        assertThat(StatusMapper.map(Status.INVALID_ARGUMENT.withDescription("id: 'x y' (expected: ...)")).message())
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
