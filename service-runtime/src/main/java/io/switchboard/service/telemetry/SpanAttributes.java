package io.switchboard.service.telemetry;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The attribute keys of the platform's spans (docs/ops/tracing.md), defined once: OpenTelemetry's messaging
 * semantic conventions where one fits, {@code switchboard.*} for the rest.
 */
public final class SpanAttributes {
    public static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    public static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    /** The room (publish, route) or the Kafka topic (send, deliver). */
    public static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    public static final AttributeKey<String> PARTITION = AttributeKey.stringKey("messaging.destination.partition.id");
    public static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    public static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    public static final AttributeKey<Long> BODY_SIZE = AttributeKey.longKey("messaging.message.body.size");
    public static final AttributeKey<String> ROOM = AttributeKey.stringKey("switchboard.room");
    public static final AttributeKey<String> SESSION_ID = AttributeKey.stringKey("switchboard.session.id");
    public static final AttributeKey<String> GATEWAY_ID = AttributeKey.stringKey("switchboard.gateway.id");
    public static final AttributeKey<String> ROUTER_ID = AttributeKey.stringKey("switchboard.router.id");
    /** {@code ok}, {@code duplicate}, or the error code the caller got. */
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("switchboard.outcome");
    /** The message's position (offset) in its room's log. */
    public static final AttributeKey<Long> POSITION = AttributeKey.longKey("switchboard.position");
    /** Local subscribers a delivered record went to. */
    public static final AttributeKey<Long> SUBSCRIBERS = AttributeKey.longKey("switchboard.subscribers");

    private SpanAttributes() {
    }
}
