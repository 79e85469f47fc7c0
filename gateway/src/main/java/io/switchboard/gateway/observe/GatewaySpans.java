package io.switchboard.gateway.observe;

import static io.switchboard.service.telemetry.SpanAttributes.BODY_SIZE;
import static io.switchboard.service.telemetry.SpanAttributes.DESTINATION;
import static io.switchboard.service.telemetry.SpanAttributes.GATEWAY_ID;
import static io.switchboard.service.telemetry.SpanAttributes.MESSAGE_ID;
import static io.switchboard.service.telemetry.SpanAttributes.MESSAGING_SYSTEM;
import static io.switchboard.service.telemetry.SpanAttributes.OFFSET;
import static io.switchboard.service.telemetry.SpanAttributes.OPERATION;
import static io.switchboard.service.telemetry.SpanAttributes.OUTCOME;
import static io.switchboard.service.telemetry.SpanAttributes.PARTITION;
import static io.switchboard.service.telemetry.SpanAttributes.POSITION;
import static io.switchboard.service.telemetry.SpanAttributes.ROOM;
import static io.switchboard.service.telemetry.SpanAttributes.SESSION_ID;
import static io.switchboard.service.telemetry.SpanAttributes.SUBSCRIBERS;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.Sender;
import io.switchboard.roomlog.RecordTraceContext;
import io.switchboard.service.telemetry.Tracing;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The gateway's spans (see docs/ops/tracing.md): {@code publish}, from a client's Publish frame to its answer, a
 * child of the client's {@code traceparent} when it sent one; and {@code deliver <topic>}, one per room-log record
 * handed to this gateway's subscribers (not one per subscriber), a child of the router's send found in the record's
 * headers. Every method returns at once, allocating nothing, when tracing is off. Thread-safe.
 */
public final class GatewaySpans {
    private static final HexFormat HEX = HexFormat.of();

    private final Tracing tracing;
    private final String gatewayId;

    public GatewaySpans(Tracing tracing, String gatewayId) {
        this.tracing = tracing;
        this.gatewayId = gatewayId;
    }

    /** No spans (tests, tools). */
    public static GatewaySpans off() {
        return new GatewaySpans(Tracing.off(), "");
    }

    /** Whether spans are made. */
    public boolean enabled() {
        return tracing.enabled();
    }

    /** Starts the span of a client's publish; the invalid span when tracing is off. */
    public Span startPublish(Publish p, Sender sender, String id) {
        if (!tracing.enabled()) {
            return Span.getInvalid();
        }
        return tracing.tracer().spanBuilder("publish")
                .setParent(tracing.fromTraceparent(p.getTraceparent()))
                .setSpanKind(SpanKind.SERVER)
                .setAttribute(MESSAGING_SYSTEM, "switchboard")
                .setAttribute(OPERATION, "publish")
                .setAttribute(DESTINATION, p.getRoom())
                .setAttribute(MESSAGE_ID, id)
                .setAttribute(BODY_SIZE, (long) p.getPayload().size())
                .setAttribute(SESSION_ID, sender.getSessionId())
                .setAttribute(GATEWAY_ID, gatewayId)
                .startSpan();
    }

    /**
     * The trace id of a publish: its span's when tracing is on, else the one of the client's {@code traceparent},
     * else a random one. It goes into the envelope and the log lines.
     */
    public static String traceId(Span span, Publish p) {
        if (span.getSpanContext().isValid()) {
            return span.getSpanContext().getTraceId();
        }
        String clients = Tracing.traceIdOf(p.getTraceparent());
        return clients != null ? clients : randomTraceId();
    }

    /**
     * 32 hex digits (a W3C trace id's form) from {@link ThreadLocalRandom}: a correlation id for logs, not a secret,
     * so not {@code UUID.randomUUID()}'s {@code SecureRandom} (a shared lock and a system call per publish).
     */
    private static String randomTraceId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return HEX.toHexDigits(random.nextLong()) + HEX.toHexDigits(random.nextLong());
    }

    /** Ends a publish's span with the answer the client gets: {@code ok}, {@code duplicate} or an error code. */
    public void endPublish(Span span, ServerFrame reply) {
        if (!tracing.enabled()) {
            return;
        }
        if (reply.hasAck()) {
            span.setAttribute(OUTCOME, reply.getAck().getDuplicate() ? "duplicate" : "ok");
            span.setAttribute(POSITION, reply.getAck().getPosition());
        } else {
            span.setAttribute(OUTCOME, reply.getError().getCode().name());
            span.setStatus(StatusCode.ERROR, reply.getError().getMessage());
        }
        span.end();
    }

    /** Starts the span of one record's delivery to local subscribers; the invalid span when tracing is off. */
    public Span startDelivery(ConsumerRecord<String, byte[]> record) {
        if (!tracing.enabled()) {
            return Span.getInvalid();
        }
        Context parent = tracing.extract(record.headers(), RecordTraceContext.INSTANCE);
        return tracing.tracer().spanBuilder("deliver " + record.topic())
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(MESSAGING_SYSTEM, "kafka")
                .setAttribute(OPERATION, "process")
                .setAttribute(DESTINATION, record.topic())
                .setAttribute(PARTITION, String.valueOf(record.partition()))
                .setAttribute(OFFSET, record.offset())
                .setAttribute(ROOM, record.key())
                .setAttribute(GATEWAY_ID, gatewayId)
                .startSpan();
    }

    /** Ends a delivery's span with the number of subscribers the record went to. */
    public void endDelivery(Span span, int delivered) {
        if (!tracing.enabled()) {
            return;
        }
        span.setAttribute(SUBSCRIBERS, (long) delivered);
        span.end();
    }
}
