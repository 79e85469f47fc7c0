package io.switchboard.gateway.authz;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import io.helidon.config.Config;
import io.switchboard.auth.capability.DirectGrants;
import io.switchboard.auth.capability.NamespacePolicies;
import io.switchboard.auth.capability.NamespacePolicy;
import io.switchboard.auth.capability.Verb;

/**
 * Room authorization settings ({@code gateway.authz.*}): the per-namespace policies, the policy of every other
 * namespace, who may be sent direct messages without a {@code direct} claim, and the application backend's
 * Authorizer. Immutable; validated when constructed, with messages naming the key.
 *
 * @param policies      {@code gateway.authz.namespaces.<ns>.*} and {@code gateway.authz.default.*}
 * @param directDefault {@code gateway.authz.direct-default}: {@code anyone} or {@code no-one}
 * @param backend       {@code gateway.authz.backend.*}, present when {@code backend.address} is set
 */
public record AuthzConfig(NamespacePolicies policies, DirectGrants directDefault, Optional<Backend> backend) {
    /** Keys under {@code gateway.authz} besides the {@code namespaces.<ns>.*} ones. */
    static final Set<String> KEYS = Set.of("default.verbs", "default.backend", "default.fail-open",
            "direct-default", "backend.address", "backend.timeout", "backend.default-ttl", "backend.max-ttl",
            "backend.cache-max-entries");
    private static final Set<String> POLICY_KEYS = Set.of("verbs", "backend", "fail-open");

    /**
     * The application backend's Authorizer.
     *
     * @param address         {@code gateway.authz.backend.address}: {@code host:port} (plaintext gRPC)
     * @param timeout         {@code gateway.authz.backend.timeout}: deadline of one Authorize call
     * @param defaultTtl      {@code gateway.authz.backend.default-ttl}: how long an answer without ttl is reused
     * @param maxTtl          {@code gateway.authz.backend.max-ttl}: the longest an answer is reused
     * @param cacheMaxEntries {@code gateway.authz.backend.cache-max-entries}: answers kept at most
     */
    public record Backend(String address, Duration timeout, Duration defaultTtl, Duration maxTtl,
                          long cacheMaxEntries) {
        public Backend {
            Objects.requireNonNull(address, "gateway.authz.backend.address");
            check(address.matches("[^:\\s]+:\\d{1,5}"), "gateway.authz.backend.address", address, "host:port");
            check(timeout.isPositive(), "gateway.authz.backend.timeout", timeout, "> PT0S");
            check(!defaultTtl.isNegative(), "gateway.authz.backend.default-ttl", defaultTtl, ">= PT0S");
            check(maxTtl.compareTo(defaultTtl) >= 0, "gateway.authz.backend.max-ttl", maxTtl,
                    ">= default-ttl " + defaultTtl);
            check(cacheMaxEntries >= 1, "gateway.authz.backend.cache-max-entries", cacheMaxEntries, ">= 1");
        }

        /** {@code address} with the defaults: PT1S timeout, PT30S default TTL, PT10M max TTL, 100000 entries. */
        public static Backend at(String address) {
            return new Backend(address, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(10),
                    100_000);
        }
    }

    public AuthzConfig {
        Objects.requireNonNull(policies, "policies");
        Objects.requireNonNull(directDefault, "directDefault");
        Objects.requireNonNull(backend, "backend");
        if (backend.isEmpty()) {
            List<String> asking = new ArrayList<>();
            policies.byNamespace().forEach((ns, p) -> {
                if (p.askBackend()) {
                    asking.add("namespaces." + ns);
                }
            });
            if (policies.fallback().askBackend()) {
                asking.add("default");
            }
            check(asking.isEmpty(), "gateway.authz.backend.address", "<unset>",
                    "set, since " + asking.stream().sorted().toList() + " ask the backend");
        }
    }

    /** No policies (only token grants count), anyone may be messaged, no backend. */
    public static AuthzConfig defaults() {
        return new AuthzConfig(NamespacePolicies.NONE, DirectGrants.ANYONE, Optional.empty());
    }

    /**
     * Reads the {@code authz} node under {@code gateway}; an absent node gives {@link #defaults()}.
     *
     * @throws IllegalArgumentException naming the key of a malformed value
     */
    public static AuthzConfig from(Config authz) {
        Map<String, NamespacePolicy> byNamespace = new LinkedHashMap<>();
        Config namespaces = authz.get("namespaces");
        if (namespaces.exists()) {
            for (Config ns : namespaces.asNodeList().orElse(List.of())) {
                String name = ns.name();
                byNamespace.put(name, policy(ns, "gateway.authz.namespaces." + name));
            }
        }
        NamespacePolicy fallback = authz.get("default").exists()
                ? policy(authz.get("default"), "gateway.authz.default") : NamespacePolicy.NONE;
        DirectGrants direct = string(authz, "direct-default").map(v -> switch (v) {
            case "anyone" -> DirectGrants.ANYONE;
            case "no-one" -> DirectGrants.NO_ONE;
            default -> throw new IllegalArgumentException("gateway.authz.direct-default: '" + v
                    + "' (expected: anyone or no-one)");
        }).orElse(DirectGrants.ANYONE);
        Optional<Backend> backend = string(authz, "backend.address").map(address -> {
            Backend d = Backend.at(address);
            return new Backend(address,
                    duration(authz, "backend.timeout").orElse(d.timeout()),
                    duration(authz, "backend.default-ttl").orElse(d.defaultTtl()),
                    duration(authz, "backend.max-ttl").orElse(d.maxTtl()),
                    string(authz, "backend.cache-max-entries").map(v -> parseLong("gateway.authz.backend"
                            + ".cache-max-entries", v)).orElse(d.cacheMaxEntries()));
        });
        return new AuthzConfig(new NamespacePolicies(byNamespace, fallback), direct, backend);
    }

    /** Whether this record reads {@code key} (relative to {@code gateway.authz}; for the unknown-key warning). */
    public static boolean isKnownKey(String key) {
        return KEYS.contains(key) || (key.startsWith("namespaces.") && key.indexOf('.') < key.lastIndexOf('.')
                && POLICY_KEYS.contains(key.substring(key.lastIndexOf('.') + 1)))
                || key.matches("(default|namespaces\\.[^.]+)\\.verbs\\.\\d+");
    }

    private static NamespacePolicy policy(Config node, String name) {
        Set<Verb> verbs = EnumSet.noneOf(Verb.class);
        Config list = node.get("verbs");
        if (list.exists()) {
            List<String> words = list.asString().asOptional()
                    .map(v -> List.of(v.split(",")))
                    .orElseGet(() -> list.asList(String.class).orElse(List.of()));
            for (String word : words) {
                String w = word.strip();
                if (!w.isEmpty()) {
                    verbs.add(Verb.of(w).orElseThrow(() -> new IllegalArgumentException(name + ".verbs: '" + w
                            + "' (expected: subscribe, publish, history, presence, ephemeral)")));
                }
            }
        }
        boolean backend = bool(node, "backend", name);
        boolean failOpen = bool(node, "fail-open", name);
        try {
            return new NamespacePolicy(verbs, backend, failOpen);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + "." + e.getMessage(), e);
        }
    }

    private static boolean bool(Config node, String key, String name) {
        return string(node, key).map(v -> switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name + "." + key + ": '" + v + "' (expected: true or false)");
        }).orElse(false);
    }

    private static Optional<String> string(Config c, String key) {
        return c.get(key).asString().asOptional().map(String::strip).filter(s -> !s.isEmpty());
    }

    private static Optional<Duration> duration(Config c, String key) {
        return string(c, key).map(v -> {
            try {
                return Duration.parse(v);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("gateway.authz." + key + ": '" + v
                        + "' (expected: an ISO-8601 duration such as PT1S)", e);
            }
        });
    }

    private static long parseLong(String key, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + v + "' (expected: an integer)", e);
        }
    }

    private static void check(boolean ok, String key, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(key + ": " + value + " (expected: " + expected + ")");
        }
    }
}
