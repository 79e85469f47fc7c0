package io.switchboard.gateway;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.config.Config;
import io.switchboard.auth.KeySetSettings;
import io.switchboard.gateway.authz.AuthzConfig;
import io.switchboard.gateway.routing.BreakerSettings;
import io.switchboard.gateway.routing.RouterEndpoint;
import io.switchboard.gateway.tls.TlsSettings;
import io.switchboard.service.config.ConfigBuilder;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.Settings;
import io.switchboard.service.config.TierConfig;

/**
 * Immutable, validated configuration of one gateway: the values of the keys in {@link GatewayKeys} (read one with
 * {@link #get(Key)}) and the records made of them. Built with {@link #builder()} (tests, the launcher) or read from
 * Helidon {@link Config} with {@link #from(Config)}. Every value and every rule between values is checked when the
 * configuration is built; messages have the shape {@code "name: value (expected: ...)"}. Thread-safe.
 */
public final class GatewayConfig extends TierConfig {
    private static final Logger LOG = Logger.getLogger(GatewayConfig.class.getName());

    private final List<RouterEndpoint> routers;
    private final Optional<RouterEndpoint> routerDns;
    private final BreakerSettings routerBreaker;
    private final KeySetSettings keySet;
    private final AuthzConfig authz;
    private final Optional<TlsSettings> tls;

    private GatewayConfig(Settings s) {
        super(s);
        this.routers = s.get(GatewayKeys.ROUTERS).stream().map(RouterEndpoint::parse).toList();
        this.routerDns = s.find(GatewayKeys.ROUTER_DNS).map(RouterEndpoint::parse);
        this.routerBreaker = BreakerSettings.of(s);
        this.keySet = new KeySetSettings(GatewayKeys.AUTH.prefix(), s.find(GatewayKeys.AUTH.hs256Secret),
                GatewayKeys.AUTH.publicKeyPem(s), s.find(GatewayKeys.AUTH.jwksFile), s.find(GatewayKeys.AUTH.jwksUrl),
                s.get(GatewayKeys.AUTH.jwksRefreshInterval), s.get(GatewayKeys.AUTH.jwksMinRefetchInterval),
                s.get(GatewayKeys.AUTH.jwksTimeout));
        this.authz = AuthzConfig.from(s);
        this.tls = TlsSettings.from(s);
    }

    /** A builder with every key at its default; one of the {@code gateway.auth} key sources must be set. */
    public static ConfigBuilder<GatewayConfig> builder() {
        return GatewayKeys.CATALOGUE.builder(GatewayConfig::new);
    }

    /** Reads {@code gateway.*} and its {@code kafka.*} keys (unknown ones are logged); a bad value throws. */
    public static GatewayConfig from(Config root) {
        return new GatewayConfig(GatewayKeys.CATALOGUE.read(root));
    }

    /** {@code gateway.routers}: the routers publishes are spread over, in configuration order. */
    public List<RouterEndpoint> routers() {
        return routers;
    }

    /** {@code gateway.router-dns}: a name whose addresses are the routers (wins over {@link #routers()}). */
    public Optional<RouterEndpoint> routerDns() {
        return routerDns;
    }

    /** {@code gateway.router-breaker.*}: the circuit breaker kept per router. */
    public BreakerSettings routerBreaker() {
        return routerBreaker;
    }

    /** {@code gateway.auth.*}: where the verification keys come from. */
    public KeySetSettings keySet() {
        return keySet;
    }

    /** {@code gateway.authz.*}: namespace policies, the direct-message default and the application backend. */
    public AuthzConfig authz() {
        return authz;
    }

    /** {@code gateway.tls.*}: the certificate and key of {@code wss://}; empty for a plain gateway. */
    public Optional<TlsSettings> tls() {
        return tls;
    }

    /** {@code kafka.consumer.*}: extra Kafka consumer properties; they override the gateway's own settings. */
    public Map<String, String> consumerProperties() {
        return settings().passthrough(GatewayKeys.CONSUMER);
    }

    static void logEffective(GatewayConfig config) {
        if (LOG.isLoggable(Level.CONFIG)) {
            LOG.config("Effective " + config);
        }
    }
}
