package io.switchboard.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.Sender;
import io.switchboard.service.telemetry.SpanAttributes;
import io.switchboard.service.telemetry.TelemetryKeys;
import io.switchboard.service.telemetry.Tracing;
import io.switchboard.service.telemetry.TracingSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatewaySpansTest {
    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final Sender SENDER = Sender.newBuilder().setUserId("alice").setSessionId("s-1").build();
    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private final Tracing tracing = Tracing.exportingTo(exported, new TracingSettings(true,
            TelemetryKeys.DEFAULT_OTLP_ENDPOINT, 1.0, "switchboard-gateway", "gw-1"));
    private final GatewaySpans spans = new GatewaySpans(tracing, "gw-1");

    @AfterEach
    void close() {
        tracing.close();
    }

    @Test
    void aMalformedTraceparentStartsANewTraceInsteadOfFailing() {
        Span span = spans.startPublish(publish("00-not-a-trace-01"), SENDER, "m-1");
        spans.endPublish(span, ack(false));

        SpanData data = exported.getFinishedSpanItems().getFirst();
        assertThat(data.getParentSpanContext().isValid()).isFalse();
        assertThat(data.getTraceId()).isNotEqualTo(CLIENT_TRACE).isEqualTo(GatewaySpans.traceId(span, publish("")));
        assertThat(data.getAttributes().get(SpanAttributes.OUTCOME)).isEqualTo("ok");
        assertThat(data.getAttributes().get(SpanAttributes.SESSION_ID)).isEqualTo("s-1");
    }

    @Test
    void anUnsampledClientTraceIsFollowedNotRecorded() {
        Publish p = publish("00-" + CLIENT_TRACE + "-00f067aa0ba902b7-00");
        Span span = spans.startPublish(p, SENDER, "m-2");
        spans.endPublish(span, ack(true));

        assertThat(exported.getFinishedSpanItems()).isEmpty();
        assertThat(GatewaySpans.traceId(span, p)).as("the client's trace id all the same").isEqualTo(CLIENT_TRACE);
    }

    @Test
    void offTheTraceIdComesFromTheClientsTraceparentOrIsRandom() {
        GatewaySpans off = GatewaySpans.off();
        Publish traced = publish("00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01");

        Span span = off.startPublish(traced, SENDER, "m-3");

        assertThat(span).isSameAs(Span.getInvalid());
        assertThat(GatewaySpans.traceId(span, traced)).isEqualTo(CLIENT_TRACE);
        assertThat(GatewaySpans.traceId(span, publish(""))).matches("[0-9a-f]{32}");
        assertThat(off.startDelivery(record())).isSameAs(Span.getInvalid());
    }

    @Test
    void aDeliveryContinuesTheTraceNamedInTheRecordsHeaders() {
        ConsumerRecord<String, byte[]> record = record();
        record.headers().add("traceparent",
                ("00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01").getBytes(StandardCharsets.UTF_8));

        spans.endDelivery(spans.startDelivery(record), 3);

        SpanData data = exported.getFinishedSpanItems().getFirst();
        assertThat(data.getName()).isEqualTo("deliver switchboard.rooms");
        assertThat(data.getTraceId()).isEqualTo(CLIENT_TRACE);
        assertThat(data.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(data.getAttributes().get(SpanAttributes.SUBSCRIBERS)).isEqualTo(3L);
        assertThat(data.getAttributes().get(SpanAttributes.OFFSET)).isEqualTo(42L);
        assertThat(data.getAttributes().get(SpanAttributes.ROOM)).isEqualTo("chat:a");
    }

    private static Publish publish(String traceparent) {
        return Publish.newBuilder().setRoom("chat:a").setId("m").setTraceparent(traceparent).build();
    }

    private static ServerFrame ack(boolean duplicate) {
        return ServerFrame.newBuilder().setAck(Ack.newBuilder().setPosition(7).setDuplicate(duplicate)).build();
    }

    private static ConsumerRecord<String, byte[]> record() {
        return new ConsumerRecord<>("switchboard.rooms", 3, 42L, "chat:a", new byte[0]);
    }
}
