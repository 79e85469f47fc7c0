package io.switchboard.service.telemetry;

import static io.switchboard.service.config.ValueType.BOOLEAN;
import static io.switchboard.service.config.ValueType.FLOAT;
import static io.switchboard.service.config.ValueType.URL;

import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.config.Settings;
import io.switchboard.service.config.ValueType;
import java.net.URI;

/**
 * A tier's tracing and log-format keys under its root ({@code gateway.tracing.*}, {@code gateway.log-format}...),
 * defined in the tier's own key section so that each tier's table documents them. Immutable, hence thread-safe.
 */
public final class TelemetryKeys {
    /** The OTLP/HTTP traces endpoint of a collector on the same host, the OpenTelemetry default. */
    public static final URI DEFAULT_OTLP_ENDPOINT = URI.create("http://localhost:4318/v1/traces");

    public final Key<Boolean> tracingEnabled;
    public final Key<URI> otlpEndpoint;
    public final Key<Float> sampleRatio;
    public final Key<String> logFormat;
    private final String tier;

    private TelemetryKeys(KeySection.Builder s, String root) {
        this.tier = root;
        String p = root + ".tracing.";
        tracingEnabled = s.define(p + "enabled", BOOLEAN).byDefault(false)
                .doc("OpenTelemetry tracing of publishes (see [ops/tracing.md](ops/tracing.md)): spans exported over"
                        + " OTLP/HTTP to `" + p + "otlp-endpoint`, the W3C trace context passed on to the next tier."
                        + " Off: no span is made and nothing is passed on (the envelope's `trace_id` is still set and"
                        + " logged).");
        otlpEndpoint = s.define(p + "otlp-endpoint", URL).byDefault(DEFAULT_OTLP_ENDPOINT)
                .check(Check.of(u -> "http".equals(u.getScheme()) || "https".equals(u.getScheme()),
                        "an http or https URL"))
                .doc("Where spans are exported: an OTLP/HTTP (protobuf) traces endpoint, such as an OpenTelemetry"
                        + " Collector's, Jaeger's or Tempo's. Spans are batched; an unreachable endpoint drops them"
                        + " (logged) and never slows a publish.");
        sampleRatio = s.define(p + "sample-ratio", FLOAT).byDefault(1.0f)
                .check(Check.of(r -> r >= 0 && r <= 1, "0 to 1"))
                .doc("Share of the traces started here (a publish without a sampled parent) that are recorded; a"
                        + " publish whose client sent a `traceparent` follows that parent's sampling decision.");
        logFormat = logFormat(s, root);
    }

    /**
     * Defines {@code <root>.log-format} alone in {@code section}, for a tier that does not trace (presence,
     * history).
     */
    public static Key<String> logFormat(KeySection.Builder section, String root) {
        return section.define(root + ".log-format", ValueType.oneOf("text", "json")).byDefault("text")
                .doc("`text`: the tier's line format with `[trace_id=... session_id=...]` after the message where the"
                        + " line has them; `json`: one JSON object per line (`time`, `level`, `logger`, `thread`,"
                        + " `message`, and `trace_id`, `session_id`, `exception` where present). Applies to the tier's"
                        + " own process from the moment its configuration is read (not to the single-process"
                        + " launcher).");
    }

    /** Defines the keys under {@code root} (the tier's root, e.g. {@code gateway}) in {@code section}. */
    public static TelemetryKeys define(KeySection.Builder section, String root) {
        return new TelemetryKeys(section, root);
    }

    /** The tracing settings of a tier whose service is called {@code serviceName}, instance {@code instanceId}. */
    public TracingSettings tracing(Settings s, String serviceName, String instanceId) {
        return new TracingSettings(s.get(tracingEnabled), s.get(otlpEndpoint), s.get(sampleRatio), serviceName,
                instanceId);
    }

    /** The tier's root these keys sit under. */
    public String tier() {
        return tier;
    }
}
