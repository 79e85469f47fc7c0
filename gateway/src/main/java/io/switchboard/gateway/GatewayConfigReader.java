package io.switchboard.gateway;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import io.helidon.config.Config;
import io.switchboard.gateway.authz.AuthzConfig;
import io.switchboard.gateway.routing.BreakerSettings;
import io.switchboard.service.ConfigValues;
import io.switchboard.service.UnknownKeys;

/**
 * Reads a {@link GatewayConfig} from a Helidon config tree ({@code gateway.*} and {@code kafka.*}) with the
 * value readers every tier shares; unknown keys under {@code gateway} are logged. A blank string counts as
 * unset. Stateless.
 */
final class GatewayConfigReader {
    private static final System.Logger LOG = System.getLogger(GatewayConfig.class.getName());

    private GatewayConfigReader() {
    }

    static GatewayConfig read(Config root) {
        Config g = root.get("gateway");
        UnknownKeys.warn(LOG, unknownKeys(root));
        GatewayConfig.Builder b = GatewayConfig.builder();
        text(g, "host").ifPresent(b::host);
        ConfigValues.integer(g, "port").ifPresent(b::port);
        text(g, "id").ifPresent(b::gatewayId);
        text(g, "ws-path").ifPresent(b::wsPath);
        stringList(g.get("routers")).ifPresent(b::routers);
        ConfigValues.duration(g, "connect-timeout").ifPresent(b::connectTimeout);
        ConfigValues.duration(g, "publish-timeout").ifPresent(b::publishTimeout);
        ConfigValues.duration(g, "close-timeout").ifPresent(b::closeTimeout);
        ConfigValues.duration(g, "idle-timeout").ifPresent(b::idleTimeout);
        ConfigValues.duration(g, "drain-timeout").ifPresent(b::drainTimeout);
        ConfigValues.duration(g, "startup-timeout").ifPresent(b::startupTimeout);
        ConfigValues.duration(g, "router-keepalive-time").ifPresent(b::routerKeepAliveTime);
        ConfigValues.duration(g, "router-keepalive-timeout").ifPresent(b::routerKeepAliveTimeout);
        text(g, "router-dns").ifPresent(b::routerDns);
        ConfigValues.duration(g, "router-dns-refresh").ifPresent(b::routerDnsRefresh);
        BreakerSettings breaker = BreakerSettings.DEFAULTS;
        b.routerBreaker(new BreakerSettings(
                ConfigValues.value(g, "router-breaker.failure-rate-threshold", "a number",
                        v -> Float.parseFloat(v.strip())).orElse(breaker.failureRateThreshold()),
                ConfigValues.integer(g, "router-breaker.sliding-window").orElse(breaker.slidingWindow()),
                ConfigValues.integer(g, "router-breaker.minimum-calls").orElse(breaker.minimumCalls()),
                ConfigValues.duration(g, "router-breaker.wait-in-open").orElse(breaker.waitInOpen()),
                ConfigValues.integer(g, "router-breaker.half-open-calls").orElse(breaker.halfOpenCalls())));
        ConfigValues.integer(g, "drain.batch-size").ifPresent(b::drainBatchSize);
        ConfigValues.duration(g, "drain.batch-interval").ifPresent(b::drainBatchInterval);
        ConfigValues.duration(g, "drain.reconnect-window").ifPresent(b::drainReconnectWindow);
        text(g, "admin.token").ifPresent(b::adminToken);
        text(g, "auth.hs256-secret").ifPresent(b::hs256Secret);
        text(g, "auth.rs256-public-key").ifPresent(b::rs256PublicKey);
        text(g, "auth.rs256-public-key-file").map(Path::of).ifPresent(b::rs256PublicKeyFile);
        text(g, "auth.issuer").ifPresent(b::issuer);
        text(g, "auth.audience").ifPresent(b::audience);
        ConfigValues.duration(g, "auth.clock-skew").ifPresent(b::clockSkew);
        text(g, "auth.jwks-file").map(Path::of).ifPresent(b::jwksFile);
        text(g, "auth.jwks-url").ifPresent(b::jwksUrl);
        ConfigValues.duration(g, "auth.jwks-refresh-interval").ifPresent(b::jwksRefreshInterval);
        ConfigValues.duration(g, "auth.jwks-min-refetch-interval").ifPresent(b::jwksMinRefetchInterval);
        ConfigValues.duration(g, "auth.jwks-timeout").ifPresent(b::jwksTimeout);
        b.authz(AuthzConfig.from(g.get("authz")));
        ConfigValues.integer(g, "limits.max-subscriptions").ifPresent(b::maxSubscriptions);
        ConfigValues.integer(g, "limits.max-payload-bytes").ifPresent(b::maxPayloadBytes);
        ConfigValues.integer(g, "limits.max-frame-bytes").ifPresent(b::maxFrameBytes);
        ConfigValues.longValue(g, "limits.max-outbound-queue-bytes").ifPresent(b::maxOutboundQueueBytes);
        ConfigValues.integer(g, "limits.max-inflight-publishes").ifPresent(b::maxInflightPublishes);
        ConfigValues.integer(g, "limits.max-ephemeral-bytes").ifPresent(b::maxEphemeralBytes);
        text(g, "history.address").ifPresent(b::historyAddress);
        ConfigValues.duration(g, "history.timeout").ifPresent(b::historyTimeout);
        ConfigValues.integer(g, "resume.page-size").ifPresent(b::resumePageSize);
        ConfigValues.integer(g, "resume.max-messages").ifPresent(b::resumeMaxMessages);
        ConfigValues.longValue(g, "resume.max-buffer-bytes").ifPresent(b::resumeMaxBufferBytes);
        ConfigValues.duration(g, "resume.coalesce-ttl").ifPresent(b::resumeCoalesceTtl);
        ConfigValues.longValue(g, "resume.coalesce-max-bytes").ifPresent(b::resumeCoalesceMaxBytes);
        ConfigValues.bool(g, "resume.coalesce").ifPresent(b::resumeCoalesce);
        text(g, "presence.address").ifPresent(b::presenceAddress);
        ConfigValues.duration(g, "presence.report-interval").ifPresent(b::presenceReportInterval);
        ConfigValues.integer(g, "presence.max-pending").ifPresent(b::presenceMaxPending);
        ConfigValues.duration(g, "presence.timeout").ifPresent(b::presenceTimeout);
        Config k = root.get("kafka");
        text(k, "bootstrap-servers").ifPresent(b::bootstrapServers);
        text(k, "topic.name").ifPresent(b::topic);
        text(k, "ephemeral-topic.name").ifPresent(b::ephemeralTopic);
        text(k, "control-topic.name").ifPresent(b::controlTopic);
        text(k, "presence-topic.name").ifPresent(b::presenceTopic);
        ConfigValues.leaves(k.get("consumer")).forEach(b::consumerProperty);
        return b.build();
    }

    /** The full keys under {@code gateway} that the gateway does not read. */
    static List<String> unknownKeys(Config root) {
        return UnknownKeys.find(root, "gateway", key -> GatewayConfig.KNOWN_KEYS.contains(key)
                || key.startsWith("routers.")
                || key.startsWith("authz.") && AuthzConfig.isKnownKey(key.substring("authz.".length())));
    }

    /** A string value, stripped; blank counts as unset (an empty environment variable unsets an address). */
    private static Optional<String> text(Config parent, String key) {
        return ConfigValues.string(parent, key).map(String::strip).filter(s -> !s.isEmpty());
    }

    /**
     * A YAML list, or one comma-separated string (the form an environment variable or system property carries).
     * When a scalar of a higher source meets a list of a lower one (GATEWAY_ROUTERS=a:1,b:2 over the list in
     * gateway-defaults.yaml) Helidon merges them into one LIST node that keeps the lower source's elements and
     * carries the scalar as the node's own value: that value is the one the operator set, so it wins.
     */
    private static Optional<List<String>> stringList(Config node) {
        if (!node.exists()) {
            return Optional.empty();
        }
        Optional<String> scalar = node.asString().asOptional();
        Function<List<String>, List<String>> clean = items -> items.stream().map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
        return Optional.of(scalar.map(v -> clean.apply(List.of(v.split(","))))
                .orElseGet(() -> clean.apply(node.asList(String.class).get())));
    }
}
