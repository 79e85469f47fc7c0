package io.switchboard.auth.capability;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The decision for one (room, verb) of one connection, without I/O. In order:
 * <ol>
 * <li>the token's {@code rooms} claim: its most specific pattern matching the room grants the verb -> allowed;</li>
 * <li>the namespace policy gives the verb to everyone -> allowed (a token grants, it cannot take away what
 * every user has);</li>
 * <li>the namespace asks the backend -> {@link Decision#ASK_BACKEND} (the caller asks and applies the policy's
 * fail-open or fail-closed rule when it cannot);</li>
 * <li>otherwise -> denied.</li>
 * </ol>
 * Thread-safe (immutable).
 */
public final class RoomAccess {
    /** The outcome of {@link #decide}. */
    public enum Decision {
        ALLOWED_BY_TOKEN, ALLOWED_BY_POLICY, ASK_BACKEND, DENIED;

        public boolean allowed() {
            return this == ALLOWED_BY_TOKEN || this == ALLOWED_BY_POLICY;
        }
    }

    private final NamespacePolicies policies;
    private final DirectGrants defaultDirect;

    /**
     * @param policies      the per-namespace policies
     * @param defaultDirect who a connection may message when its token has no {@code direct} claim
     */
    public RoomAccess(NamespacePolicies policies, DirectGrants defaultDirect) {
        this.policies = Objects.requireNonNull(policies, "policies");
        this.defaultDirect = Objects.requireNonNull(defaultDirect, "defaultDirect");
    }

    public Decision decide(Capabilities capabilities, String room, Verb verb) {
        if (capabilities.rooms().flatMap(r -> r.verbs(room)).map(v -> v.contains(verb)).orElse(false)) {
            return Decision.ALLOWED_BY_TOKEN;
        }
        NamespacePolicy policy = policies.forRoom(room);
        if (policy.everyone().contains(verb)) {
            return Decision.ALLOWED_BY_POLICY;
        }
        return policy.askBackend() ? Decision.ASK_BACKEND : Decision.DENIED;
    }

    /** The policy of {@code room}'s namespace (for the backend's fail-open rule). */
    public NamespacePolicy policy(String room) {
        return policies.forRoom(room);
    }

    /** Whether a connection with {@code capabilities} may send a direct message to {@code userId}. */
    public boolean mayMessage(Capabilities capabilities, String userId) {
        return capabilities.direct().orElse(defaultDirect).allows(userId);
    }

    /** The verbs granted in {@code room} without asking the backend (for re-evaluation on refresh). */
    public Set<Verb> grantedWithoutBackend(Capabilities capabilities, String room) {
        EnumSet<Verb> granted = EnumSet.noneOf(Verb.class);
        for (Verb v : Verb.values()) {
            if (decide(capabilities, room, v).allowed()) {
                granted.add(v);
            }
        }
        return granted;
    }
}
