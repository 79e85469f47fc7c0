package io.switchboard.gateway.authz;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.switchboard.auth.capability.Capabilities;
import io.switchboard.auth.capability.DirectGrants;
import io.switchboard.auth.capability.NamespacePolicy;
import io.switchboard.auth.capability.Verb;
import io.switchboard.gateway.GatewayConfig;
import io.switchboard.gateway.GatewayKeys;
import io.switchboard.service.config.KeyCatalogue;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthzConfigTest {
    private static AuthzConfig read(Map<String, String> values) {
        Map<String, String> all = new HashMap<>(values);
        all.put("gateway.auth.hs256-secret", "0123456789abcdef0123456789abcdef");
        return GatewayConfig.from(Config.just(ConfigSources.create(all))).authz();
    }

    @Test
    void defaultsGrantNothingWithoutATokenAndLetAnyoneBeMessaged() {
        AuthzConfig c = read(Map.of());
        assertThat(c).isEqualTo(AuthzConfig.defaults());
        assertThat(c.policies().forRoom("chat:1")).isEqualTo(NamespacePolicy.NONE);
        assertThat(c.directDefault().allows("anyone")).isTrue();
        assertThat(c.backend()).isEmpty();
    }

    @Test
    void readsNamespacesTheDefaultPolicyAndTheBackend() {
        AuthzConfig c = read(Map.ofEntries(
                Map.entry("gateway.authz.namespaces.public.verbs", "subscribe, history"),
                Map.entry("gateway.authz.namespaces.team.verbs.0", "presence"),
                Map.entry("gateway.authz.namespaces.team.backend", "true"),
                Map.entry("gateway.authz.namespaces.team.fail-open", "true"),
                Map.entry("gateway.authz.default.verbs", "subscribe"),
                Map.entry("gateway.authz.direct-default", "no-one"),
                Map.entry("gateway.authz.backend.address", "authz.internal:9000"),
                Map.entry("gateway.authz.backend.timeout", "PT0.5S"),
                Map.entry("gateway.authz.backend.default-ttl", "PT10S"),
                Map.entry("gateway.authz.backend.max-ttl", "PT1M"),
                Map.entry("gateway.authz.backend.cache-max-entries", "5000")));
        assertThat(c.policies().forRoom("public:news")).isEqualTo(new NamespacePolicy(
                Set.of(Verb.SUBSCRIBE, Verb.HISTORY), false, false));
        assertThat(c.policies().forRoom("team:7")).isEqualTo(new NamespacePolicy(Set.of(Verb.PRESENCE), true, true));
        assertThat(c.policies().forRoom("lobby")).isEqualTo(new NamespacePolicy(Set.of(Verb.SUBSCRIBE), false, false));
        assertThat(c.directDefault()).isSameAs(DirectGrants.NO_ONE);
        assertThat(c.backend()).contains(new AuthzConfig.Backend("authz.internal:9000", Duration.ofMillis(500),
                Duration.ofSeconds(10), Duration.ofMinutes(1), 5000));
        assertThat(c.directDefault().allows("x")).isFalse();
        assertThat(Capabilities.NONE.direct()).isEmpty();
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> read(Map.of("gateway.authz.namespaces.team.verbs", "subscribe,read")))
                .hasMessage("gateway.authz.namespaces.team.verbs: 'read' (expected: subscribe, publish, history,"
                        + " presence, ephemeral)");
        assertThatThrownBy(() -> read(Map.of("gateway.authz.namespaces.team.backend", "true")))
                .hasMessage("gateway.authz.backend.address: <unset> (expected: set, since [namespaces.team] ask the"
                        + " backend)");
        assertThatThrownBy(() -> read(Map.of("gateway.authz.namespaces.team.fail-open", "true")))
                .hasMessage("gateway.authz.namespaces.team.fail-open: true (expected: only with backend: true)");
        assertThatThrownBy(() -> read(Map.of("gateway.authz.direct-default", "friends")))
                .hasMessage("gateway.authz.direct-default: 'friends' (expected: anyone or no-one)");
        assertThatThrownBy(() -> read(Map.of("gateway.authz.backend.address", "authz")))
                .hasMessage("gateway.authz.backend.address: 'authz' (expected: host:port)");
        assertThatThrownBy(() -> read(Map.of("gateway.authz.backend.address", "a:1",
                "gateway.authz.backend.default-ttl", "PT1H")))
                .hasMessage("gateway.authz.backend.max-ttl: PT10M (expected: >= default-ttl PT1H)");
    }

    @Test
    void knowsItsKeys() {
        KeyCatalogue keys = GatewayKeys.CATALOGUE;
        assertThat(keys.knows("gateway.authz.namespaces.team.verbs")).isTrue();
        assertThat(keys.knows("gateway.authz.namespaces.team.verbs.1")).isTrue();
        assertThat(keys.knows("gateway.authz.namespaces.team.fail-open")).isTrue();
        assertThat(keys.knows("gateway.authz.default.verbs.0")).isTrue();
        assertThat(keys.knows("gateway.authz.backend.timeout")).isTrue();
        assertThat(keys.knows("gateway.authz.namespaces.team.colour")).isFalse();
        assertThat(keys.knows("gateway.authz.backend.colour")).isFalse();
    }
}
