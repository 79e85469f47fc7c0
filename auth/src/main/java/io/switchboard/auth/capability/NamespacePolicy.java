package io.switchboard.auth.capability;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How one namespace (the part of a room name before the first {@code ':'}) is governed beyond token grants.
 * Immutable.
 *
 * @param everyone   verbs every authenticated user has in the namespace without a grant (public rooms)
 * @param askBackend whether what neither the token nor {@code everyone} grants is asked of the application's
 *                   backend ({@code Authorize})
 * @param failOpen   when the backend cannot be asked (down, slow, breaker open): allow (true) or deny (false)
 */
public record NamespacePolicy(Set<Verb> everyone, boolean askBackend, boolean failOpen) {
    /** No verbs for everyone, no backend: only token grants count. */
    public static final NamespacePolicy NONE = new NamespacePolicy(Set.of(), false, false);
    /** Every verb for everyone: the room is open to every authenticated user. */
    public static final NamespacePolicy OPEN = new NamespacePolicy(EnumSet.allOf(Verb.class), false, false);

    public NamespacePolicy {
        Objects.requireNonNull(everyone, "everyone");
        everyone = everyone.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(everyone));
        if (failOpen && !askBackend) {
            throw new IllegalArgumentException("fail-open: true (expected: only with backend: true)");
        }
    }
}
