package io.switchboard.gateway.authz;

import static io.switchboard.service.config.ValueType.BOOLEAN;
import static io.switchboard.service.config.ValueType.DURATION;
import static io.switchboard.service.config.ValueType.HOST_PORT;
import static io.switchboard.service.config.ValueType.LONG;

import io.switchboard.auth.capability.Verb;
import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.config.PatternKey;
import io.switchboard.service.config.Rule;
import io.switchboard.service.config.Settings;
import io.switchboard.service.config.ValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The room authorization keys ({@code gateway.authz.*}), defined once: namespace policies, the policy of every other
 * namespace, the direct-message default and the application backend. {@link AuthzConfig#from(Settings)} makes
 * them a record. Stateless, hence thread-safe.
 */
public final class AuthzKeys {
    private static final KeySection.Builder S = KeySection.builder("Room authorization (`gateway.authz.*`)");
    private static final ValueType<List<Verb>> VERBS = ValueType.listOf(new ValueType<>("verb",
            Arrays.stream(Verb.values()).map(Verb::wireName).collect(Collectors.joining(", ")),
            w -> Verb.of(w).orElseThrow(() -> new IllegalArgumentException(w)), Verb::wireName));

    public static final PatternKey<List<Verb>> NAMESPACE_VERBS = S.pattern("gateway.authz.namespaces.<ns>.verbs",
                    VERBS).unsetMeans("`[]`")
            .doc("Verbs every authenticated user has in rooms of namespace `<ns>` (the room name's part before the"
                    + " first `:`) without a token grant: any of `subscribe`, `publish`, `history`, `presence`,"
                    + " `ephemeral` (a public namespace). See [security.md](security.md#how-a-decision-is-made).");
    public static final PatternKey<Boolean> NAMESPACE_BACKEND = S.pattern("gateway.authz.namespaces.<ns>.backend",
                    BOOLEAN).unsetMeans("`false`")
            .doc("Ask the application backend (`Authorize`) about what neither the token nor `verbs` grants in"
                    + " `<ns>`. Requires `gateway.authz.backend.address`.");
    public static final PatternKey<Boolean> NAMESPACE_FAIL_OPEN = S.pattern("gateway.authz.namespaces.<ns>.fail-open",
                    BOOLEAN).unsetMeans("`false`")
            .doc("When the backend cannot answer (error, timeout, breaker open): allow (`true`) or deny (`false`)."
                    + " Only with `backend: true`. Denied requests get 101 `UNAVAILABLE` (retriable).");
    public static final Key<List<Verb>> DEFAULT_VERBS = S.define("gateway.authz.default.verbs", VERBS)
            .byDefault(List.of())
            .doc("The verbs of every namespace not listed under `namespaces`, including rooms without `:` (namespace"
                    + " `\"\"`). With the defaults, no grant and no policy means **deny**: nothing is open unless"
                    + " configured or granted.");
    public static final Key<Boolean> DEFAULT_BACKEND = S.define("gateway.authz.default.backend", BOOLEAN)
            .byDefault(false)
            .doc("As `namespaces.<ns>.backend`, for every namespace not listed.");
    public static final Key<Boolean> DEFAULT_FAIL_OPEN = S.define("gateway.authz.default.fail-open", BOOLEAN)
            .byDefault(false)
            .doc("As `namespaces.<ns>.fail-open`, for every namespace not listed.");
    public static final Key<String> DIRECT_DEFAULT = S.define("gateway.authz.direct-default",
                    ValueType.oneOf("anyone", "no-one")).byDefault("anyone")
            .doc("Who a connection may send direct messages to when its token has no `direct` claim: `anyone` or"
                    + " `no-one` (refused: 204 `PERMISSION_DENIED`).");
    public static final Key<String> BACKEND_ADDRESS = S.define("gateway.authz.backend.address", HOST_PORT)
            .doc("`host:port` of the application's `switchboard.api.v1.Authorizer` (plaintext gRPC). Unset: no"
                    + " namespace may set `backend: true` (start-up error).");
    public static final Key<Duration> BACKEND_TIMEOUT = S.define("gateway.authz.backend.timeout", DURATION)
            .byDefault(Duration.ofSeconds(1)).check(Check.positive())
            .doc("Deadline of one `Authorize` call. Calls also pass a circuit breaker (opens at 50 % failures of the"
                    + " last 20 calls, at least 5 recorded; half-opens after 5 s).");
    public static final Key<Duration> BACKEND_DEFAULT_TTL = S.define("gateway.authz.backend.default-ttl", DURATION)
            .byDefault(Duration.ofSeconds(30)).check(Check.nonNegative())
            .doc("How long an answer without `ttl` is reused for the same user, room, verb and claims.");
    public static final Key<Duration> BACKEND_MAX_TTL = S.define("gateway.authz.backend.max-ttl", DURATION)
            .byDefault(Duration.ofMinutes(10))
            .doc("The longest any answer is reused (at least `default-ttl`).");
    public static final Key<Long> BACKEND_CACHE_MAX_ENTRIES = S.define("gateway.authz.backend.cache-max-entries",
                    LONG).byDefault(100_000L).check(Check.atLeast(1))
            .doc("Answers kept at most (Caffeine, size-bounded).");

    /** The section, with its rules: a backend for every policy that asks one, max-ttl at least default-ttl. */
    public static final KeySection SECTION = S
            .rule(Rule.of(BACKEND_ADDRESS, s -> s.find(BACKEND_ADDRESS).isPresent() || asking(s).isEmpty(),
                    s -> "set, since " + asking(s) + " ask the backend"))
            .rule(Rule.atLeast(BACKEND_MAX_TTL, BACKEND_DEFAULT_TTL))
            .build();

    private AuthzKeys() {
    }

    /** The policies that ask the backend: {@code namespaces.<ns>} and {@code default}, sorted. */
    private static List<String> asking(Settings s) {
        List<String> asking = new ArrayList<>();
        s.byName(NAMESPACE_BACKEND).forEach((ns, backend) -> {
            if (backend) {
                asking.add("namespaces." + ns);
            }
        });
        if (s.get(DEFAULT_BACKEND)) {
            asking.add("default");
        }
        return asking.stream().sorted().toList();
    }
}
