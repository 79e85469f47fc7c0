package io.switchboard.gateway.observe;

import java.util.function.BooleanSupplier;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

/**
 * Health checks of one gateway for Helidon's health observer: liveness ({@code /observe/health/live}) is up
 * while the server runs; readiness ({@code /observe/health/ready}) is up only after the Kafka consumer is
 * positioned, while it keeps running and while the gateway is not draining (and, with
 * {@code gateway.probe.readiness}, while its delivery probe comes back). Thread-safe (reads volatile state
 * through the suppliers).
 */
public final class HealthChecks {
    private HealthChecks() {
    }

    /** The readiness check, named {@code gateway}. */
    public static HealthCheck readiness(BooleanSupplier ready, BooleanSupplier positioned, BooleanSupplier draining,
                                        BooleanSupplier probeHealthy) {
        return check(HealthCheckType.READINESS, "gateway", () -> HealthCheckResponse.builder()
                .status(ready.getAsBoolean())
                .detail("kafkaPositioned", positioned.getAsBoolean())
                .detail("draining", draining.getAsBoolean())
                .detail("deliveryProbeHealthy", probeHealthy.getAsBoolean())
                .build());
    }

    /** The liveness check, named {@code gateway-live}. */
    public static HealthCheck liveness(BooleanSupplier alive) {
        return check(HealthCheckType.LIVENESS, "gateway-live",
                () -> HealthCheckResponse.builder().status(alive.getAsBoolean()).build());
    }

    private static HealthCheck check(HealthCheckType type, String name,
                                     java.util.function.Supplier<HealthCheckResponse> call) {
        return new HealthCheck() {
            @Override
            public HealthCheckType type() {
                return type;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public HealthCheckResponse call() {
                return call.get();
            }
        };
    }
}
