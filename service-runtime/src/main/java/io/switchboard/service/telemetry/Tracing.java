package io.switchboard.service.telemetry;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;

/**
 * One tier's tracing: an OpenTelemetry tracer of its own (no global {@code GlobalOpenTelemetry}: several tiers may
 * share a JVM, each with its own resource) and the W3C trace-context propagator that carries a trace from tier to
 * tier. {@link #off()} is the default: {@link #enabled()} is false, and callers check it before they build anything,
 * so the hot path costs one field read when tracing is off.
 *
 * <p>Lifecycle: {@link #start} or {@link #exportingTo}, then {@link #close()} (flushes what is batched). Thread-safe.
 */
public final class Tracing implements AutoCloseable {
    /** The instrumentation scope of every span the platform makes. */
    public static final String SCOPE = "io.switchboard";
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final Tracing OFF = new Tracing(null, TracerProvider.noop().get(SCOPE));
    private static final TextMapGetter<String> TRACEPARENT_ONLY = new TextMapGetter<>() {
        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    /** Reads a trace context from a string map, such as {@code PublishRequest.trace_context}. */
    public static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final SdkTracerProvider provider;
    private final Tracer tracer;

    private Tracing(SdkTracerProvider provider, Tracer tracer) {
        this.provider = provider;
        this.tracer = tracer;
    }

    /** No tracing: nothing is recorded or propagated. */
    public static Tracing off() {
        return OFF;
    }

    /** As {@code settings} say: off, or spans batched to their OTLP/HTTP endpoint. */
    public static Tracing start(TracingSettings settings) {
        if (!settings.enabled()) {
            return OFF;
        }
        SpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(settings.otlpEndpoint().toString())
                .build();
        return new Tracing(settings, BatchSpanProcessor.builder(exporter).build());
    }

    /**
     * Tracing on, every span handed to {@code exporter} as it ends (tests: the SDK's in-memory exporter), whatever
     * {@code settings.enabled()} says; its endpoint is not used. The exporter stays the caller's: several tiers of
     * one test may share it, and {@link #close()} does not shut it down.
     */
    public static Tracing exportingTo(SpanExporter exporter, TracingSettings settings) {
        return new Tracing(settings, SimpleSpanProcessor.create(new Borrowed(Objects.requireNonNull(exporter,
                "exporter"))));
    }

    private Tracing(TracingSettings settings, SpanProcessor processor) {
        this(SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), settings.serviceName(),
                        AttributeKey.stringKey("service.instance.id"), settings.instanceId()))))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.sampleRatio())))
                .addSpanProcessor(processor)
                .build());
    }

    private Tracing(SdkTracerProvider provider) {
        this(provider, provider.get(SCOPE));
    }

    /** Whether spans are made and trace context is passed on; check before building anything for a span. */
    public boolean enabled() {
        return provider != null;
    }

    /** The tracer spans are made with (a no-op one when off). */
    public Tracer tracer() {
        return tracer;
    }

    /** Writes {@code context}'s trace context ({@code traceparent}, {@code tracestate}) into {@code carrier}. */
    public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
        if (enabled()) {
            W3CTraceContextPropagator.getInstance().inject(context, carrier, setter);
        }
    }

    /** The remote parent {@code carrier} names, or the root context when it names none (or tracing is off). */
    public <C> Context extract(C carrier, TextMapGetter<C> getter) {
        return enabled() ? W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, getter)
                : Context.root();
    }

    /** The remote parent a client's W3C {@code traceparent} names, or the root context (none, malformed, off). */
    public Context fromTraceparent(String traceparent) {
        return traceparent == null || traceparent.isEmpty() ? Context.root() : extract(traceparent, TRACEPARENT_ONLY);
    }

    /**
     * The trace id of a W3C {@code traceparent} (32 lowercase hex digits), or null when it is absent or malformed.
     * Works with tracing off: the id still correlates log lines with the client's trace.
     */
    public static String traceIdOf(String traceparent) {
        if (traceparent == null || !TRACEPARENT.matcher(traceparent).matches()) {
            return null;
        }
        String id = traceparent.substring(3, 35);
        return TraceId.isValid(id) ? id : null;
    }

    /** Exports what is still batched and stops; waits at most 5 s. */
    @Override
    public void close() {
        if (provider != null) {
            provider.shutdown().join(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** An exporter lent by the caller: used, flushed, never shut down. */
    private record Borrowed(SpanExporter exporter) implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return exporter.export(spans);
        }

        @Override
        public CompletableResultCode flush() {
            return exporter.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
