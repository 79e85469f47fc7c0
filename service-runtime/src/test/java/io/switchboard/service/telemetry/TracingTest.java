package io.switchboard.service.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracingTest {
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final TracingSettings SETTINGS = new TracingSettings(false,
            TelemetryKeys.DEFAULT_OTLP_ENDPOINT, 1.0, "switchboard-test", "test-1");

    @Test
    void theTraceIdOfAWellFormedTraceparentOnly() {
        assertThat(Tracing.traceIdOf(TRACEPARENT)).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(Tracing.traceIdOf("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).as("all zero").isNull();
        assertThat(Tracing.traceIdOf("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")).as("upper").isNull();
        assertThat(Tracing.traceIdOf("garbage")).isNull();
        assertThat(Tracing.traceIdOf("")).isNull();
        assertThat(Tracing.traceIdOf(null)).isNull();
    }

    @Test
    void offMakesNoSpanAndPassesNothingOn() {
        Tracing off = Tracing.start(SETTINGS);
        Map<String, String> carrier = new HashMap<>();

        off.inject(Context.root().with(Span.wrap(SpanContext.getInvalid())), carrier, Map::put);

        assertThat(off.enabled()).isFalse();
        assertThat(carrier).isEmpty();
        assertThat(Span.fromContext(off.fromTraceparent(TRACEPARENT)).getSpanContext().isValid()).isFalse();
        assertThat(off.tracer().spanBuilder("x").startSpan().getSpanContext().isValid()).isFalse();
    }

    @Test
    void aSpanContinuesAClientsTraceparentAndIsPassedOnAsW3c() {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        Tracing tracing = Tracing.exportingTo(spans, SETTINGS);
        try {
            Span span = tracing.tracer().spanBuilder("publish").setParent(tracing.fromTraceparent(TRACEPARENT))
                    .startSpan();
            Map<String, String> carrier = new HashMap<>();
            tracing.inject(Context.root().with(span), carrier, Map::put);
            span.end();

            SpanData ended = spans.getFinishedSpanItems().getFirst();
            assertThat(ended.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(ended.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
            assertThat(ended.getResource().getAttribute(AttributeKey.stringKey("service.name")))
                    .isEqualTo("switchboard-test");
            assertThat(ended.getResource().getAttribute(AttributeKey.stringKey("service.instance.id")))
                    .isEqualTo("test-1");
            assertThat(carrier.get("traceparent"))
                    .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-" + ended.getSpanId() + "-01");
            Span continued = Span.fromContext(tracing.extract(carrier, Tracing.MAP));
            assertThat(continued.getSpanContext().getSpanId()).isEqualTo(ended.getSpanId());
        } finally {
            tracing.close();
        }
        assertThat(spans.getFinishedSpanItems()).as("close leaves a lent exporter usable").hasSize(1);
    }
}
