package io.switchboard.gateway.authz;

import static io.switchboard.gateway.authz.AuthzKeys.BACKEND_ADDRESS;
import static io.switchboard.gateway.authz.AuthzKeys.BACKEND_CACHE_MAX_ENTRIES;
import static io.switchboard.gateway.authz.AuthzKeys.BACKEND_DEFAULT_TTL;
import static io.switchboard.gateway.authz.AuthzKeys.BACKEND_MAX_TTL;
import static io.switchboard.gateway.authz.AuthzKeys.BACKEND_TIMEOUT;

import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import io.switchboard.auth.capability.DirectGrants;
import io.switchboard.auth.capability.NamespacePolicies;
import io.switchboard.auth.capability.NamespacePolicy;
import io.switchboard.auth.capability.Verb;
import io.switchboard.service.config.Settings;

/**
 * Room authorization settings ({@code gateway.authz.*}, defined in {@link AuthzKeys}): the per-namespace policies,
 * the policy of every other namespace, who may be sent direct messages without a {@code direct} claim, and the
 * application backend's Authorizer. Immutable.
 *
 * @param policies      {@code gateway.authz.namespaces.<ns>.*} and {@code gateway.authz.default.*}
 * @param directDefault {@code gateway.authz.direct-default}: {@code anyone} or {@code no-one}
 * @param backend       {@code gateway.authz.backend.*}, present when {@code backend.address} is set
 */
public record AuthzConfig(NamespacePolicies policies, DirectGrants directDefault, Optional<Backend> backend) {
    /**
     * The application backend's Authorizer; values checked by {@link AuthzKeys}.
     *
     * @param address         {@code host:port} (plaintext gRPC)
     * @param timeout         deadline of one Authorize call
     * @param defaultTtl      how long an answer without ttl is reused
     * @param maxTtl          the longest an answer is reused
     * @param cacheMaxEntries answers kept at most
     */
    public record Backend(String address, Duration timeout, Duration defaultTtl, Duration maxTtl,
                          long cacheMaxEntries) {
        public Backend {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(defaultTtl, "defaultTtl");
            Objects.requireNonNull(maxTtl, "maxTtl");
        }
    }

    public AuthzConfig {
        Objects.requireNonNull(policies, "policies");
        Objects.requireNonNull(directDefault, "directDefault");
        Objects.requireNonNull(backend, "backend");
    }

    /** No policies (only token grants count), anyone may be messaged, no backend. */
    public static AuthzConfig defaults() {
        return new AuthzConfig(NamespacePolicies.NONE, DirectGrants.ANYONE, Optional.empty());
    }

    /**
     * The {@code gateway.authz.*} values of {@code s}.
     *
     * @throws IllegalArgumentException naming the key when a namespace's policy is contradictory
     */
    public static AuthzConfig from(Settings s) {
        Map<String, NamespacePolicy> byNamespace = new LinkedHashMap<>();
        Set<String> namespaces = new java.util.LinkedHashSet<>(s.byName(AuthzKeys.NAMESPACE_VERBS).keySet());
        namespaces.addAll(s.byName(AuthzKeys.NAMESPACE_BACKEND).keySet());
        namespaces.addAll(s.byName(AuthzKeys.NAMESPACE_FAIL_OPEN).keySet());
        for (String ns : namespaces) {
            byNamespace.put(ns, policy("gateway.authz.namespaces." + ns,
                    s.byName(AuthzKeys.NAMESPACE_VERBS).getOrDefault(ns, List.of()),
                    s.byName(AuthzKeys.NAMESPACE_BACKEND).getOrDefault(ns, false),
                    s.byName(AuthzKeys.NAMESPACE_FAIL_OPEN).getOrDefault(ns, false)));
        }
        NamespacePolicy fallback = policy("gateway.authz.default", s.get(AuthzKeys.DEFAULT_VERBS),
                s.get(AuthzKeys.DEFAULT_BACKEND), s.get(AuthzKeys.DEFAULT_FAIL_OPEN));
        DirectGrants direct = s.get(AuthzKeys.DIRECT_DEFAULT).equals("no-one")
                ? DirectGrants.NO_ONE : DirectGrants.ANYONE;
        Optional<Backend> backend = s.find(BACKEND_ADDRESS).map(address -> new Backend(address, s.get(BACKEND_TIMEOUT),
                s.get(BACKEND_DEFAULT_TTL), s.get(BACKEND_MAX_TTL), s.get(BACKEND_CACHE_MAX_ENTRIES)));
        return new AuthzConfig(new NamespacePolicies(byNamespace, fallback), direct, backend);
    }

    private static NamespacePolicy policy(String name, List<Verb> verbs, boolean backend, boolean failOpen) {
        Set<Verb> set = verbs.isEmpty() ? EnumSet.noneOf(Verb.class) : EnumSet.copyOf(verbs);
        try {
            return new NamespacePolicy(set, backend, failOpen);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + "." + e.getMessage(), e);
        }
    }
}
