package io.switchboard.service.telemetry;

import java.net.URI;
import java.util.Objects;

/**
 * A tier's tracing configuration ({@link TelemetryKeys}): whether it traces, where spans go, how many root traces
 * are sampled, and who the spans come from (the OpenTelemetry resource's {@code service.name} and
 * {@code service.instance.id}).
 */
public record TracingSettings(boolean enabled, URI otlpEndpoint, double sampleRatio, String serviceName,
                              String instanceId) {
    public TracingSettings {
        Objects.requireNonNull(otlpEndpoint, "otlpEndpoint");
        Objects.requireNonNull(serviceName, "serviceName");
        Objects.requireNonNull(instanceId, "instanceId");
        if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
            throw new IllegalArgumentException("sampleRatio: " + sampleRatio + " (expected: 0 to 1)");
        }
    }
}
