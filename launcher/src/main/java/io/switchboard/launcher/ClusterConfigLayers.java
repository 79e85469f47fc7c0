package io.switchboard.launcher;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.switchboard.gateway.GatewayKeys;
import io.switchboard.gateway.warmup.WarmUpKeys;
import io.switchboard.history.HistoryKeys;
import io.switchboard.presence.PresenceKeys;
import io.switchboard.router.RouterKeys;
import java.util.HashMap;
import java.util.Map;

/**
 * How a {@link LocalCluster} configures each service it starts, highest priority first: the run-time keys only the
 * cluster knows (addresses, ids, free ports), the keys set in code, the keys it generates (TLS), environment variables and system properties
 * (when asked for), the base configuration (the launcher's file), then loopback, free ports and no gateway warm-up.
 * The first source that has a key wins. Not thread-safe: filled by one builder.
 *
 * <p>A cluster built in code (tests, benchmarks) starts its gateways without the warm-up before ready
 * ({@code gateway.warm-up.messages} and {@code gateway.warm-up.connects} 0 as the last fallback): 20,000 messages per
 * JVM would cost every test JVM that starts a cluster tens of seconds and prove nothing about what it tests.
 * {@code ./switchboard run} warms up: its {@code switchboard-defaults.yaml} sets the gateway's defaults again; a test
 * of the warm-up sets the keys itself.
 */
final class ClusterConfigLayers {
    private static final Map<String, String> FALLBACK = Map.of(
            GatewayKeys.HOST.name(), "127.0.0.1",
            GatewayKeys.PORT.name(), "0",
            RouterKeys.GRPC_PORT.name(), "0",
            RouterKeys.METRICS_PORT.name(), "0",
            HistoryKeys.GRPC_PORT.name(), "0",
            HistoryKeys.METRICS_PORT.name(), "0",
            PresenceKeys.GRPC_PORT.name(), "0",
            PresenceKeys.METRICS_PORT.name(), "0",
            WarmUpKeys.MESSAGES.name(), "0",
            WarmUpKeys.CONNECTS.name(), "0");

    private final Map<String, String> base = new HashMap<>();
    private final Map<String, String> overrides = new HashMap<>();
    private final Map<String, String> generated = new HashMap<>();
    private boolean environment;

    /** A key for every service, over the environment and the base. */
    void set(String key, String value) {
        overrides.put(key, value);
    }

    /** Keys the cluster generates at start (its TLS settings): below the keys set in code. */
    void generated(Map<String, String> keys) {
        generated.putAll(keys);
    }

    /** The base configuration, e.g. the launcher's flattened files. */
    void base(Map<String, String> flattened) {
        base.putAll(flattened);
    }

    /** Whether environment variables and system properties override the base (off by default). */
    void environment(boolean enabled) {
        this.environment = enabled;
    }

    /** The configuration of one service: {@code runtime} over the layers. */
    Config layered(Map<String, String> runtime) {
        Config.Builder builder = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(runtime))
                .addSource(ConfigSources.create(overrides))
                .addSource(ConfigSources.create(generated));
        if (environment) {
            builder.addSource(ConfigSources.environmentVariables()).addSource(ConfigSources.systemProperties());
        }
        return builder.addSource(ConfigSources.create(base)).addSource(ConfigSources.create(FALLBACK)).build();
    }
}
