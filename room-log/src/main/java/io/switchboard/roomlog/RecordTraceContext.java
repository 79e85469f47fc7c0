package io.switchboard.roomlog;

import java.nio.charset.StandardCharsets;

import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Kafka record headers as the carrier of a trace context: the router's propagator writes the W3C {@code traceparent}
 * (and {@code tracestate}, when there is one) of the message's send into the room-log record, a gateway's reads it
 * back to continue the trace where it delivers the record. Values are UTF-8; a key written twice keeps the last
 * value. Stateless, hence thread-safe.
 */
public enum RecordTraceContext implements TextMapGetter<Headers>, TextMapSetter<Headers> {
    INSTANCE;

    /** The W3C header that names the trace and the span a record was sent in. */
    public static final String TRACEPARENT = "traceparent";

    @Override
    public void set(Headers headers, String key, String value) {
        if (headers == null) {
            return;
        }
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String get(Headers headers, String key) {
        if (headers == null) {
            return null;
        }
        Header header = headers.lastHeader(key);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
