package io.switchboard.roomlog;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class RecordTraceContextTest {
    private static final RecordTraceContext HEADERS = RecordTraceContext.INSTANCE;

    @Test
    void aKeyWrittenTwiceKeepsOneHeaderWithTheLastValue() {
        RecordHeaders headers = new RecordHeaders();
        HEADERS.set(headers, RecordTraceContext.TRACEPARENT, "00-aa-bb-01");
        HEADERS.set(headers, RecordTraceContext.TRACEPARENT, "00-cc-dd-01");
        HEADERS.set(headers, "tracestate", "k=v");

        assertThat(headers.headers(RecordTraceContext.TRACEPARENT)).hasSize(1);
        assertThat(HEADERS.get(headers, RecordTraceContext.TRACEPARENT)).isEqualTo("00-cc-dd-01");
        assertThat(HEADERS.get(headers, "tracestate")).isEqualTo("k=v");
    }

    @Test
    void aRecordWithoutHeadersHasNoContext() {
        assertThat(HEADERS.get(new RecordHeaders(), RecordTraceContext.TRACEPARENT)).isNull();
        assertThat(HEADERS.get(null, RecordTraceContext.TRACEPARENT)).isNull();
    }
}
