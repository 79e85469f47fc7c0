package io.switchboard.auth.capability;

import java.util.Map;
import java.util.Objects;

/**
 * The policy of each namespace, with one for rooms of a namespace no entry names (including rooms without
 * {@code ':'}, whose namespace is {@code ""}). Immutable.
 *
 * @param byNamespace namespace to policy
 * @param fallback    the policy of every other namespace: {@link NamespacePolicy#NONE} unless configured
 */
public record NamespacePolicies(Map<String, NamespacePolicy> byNamespace, NamespacePolicy fallback) {
    /** No policy anywhere: only token grants count. */
    public static final NamespacePolicies NONE = new NamespacePolicies(Map.of(), NamespacePolicy.NONE);

    public NamespacePolicies {
        byNamespace = Map.copyOf(byNamespace);
        Objects.requireNonNull(fallback, "fallback");
    }

    /** The policy of {@code room}'s namespace. */
    public NamespacePolicy forRoom(String room) {
        int colon = room.indexOf(':');
        return byNamespace.getOrDefault(colon < 0 ? "" : room.substring(0, colon), fallback);
    }
}
