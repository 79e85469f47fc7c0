package io.switchboard.router.api;

import io.grpc.Context;
import java.util.Objects;
import java.util.Set;

/**
 * The verified caller of a SwitchboardApi call: the token's {@code sub} and its permissions. Put into the call's
 * {@link Context} by {@link ServiceAuthInterceptor}. Immutable.
 *
 * @param subject     the service name ({@code sub})
 * @param permissions what the token's {@code scope} grants
 */
public record ServiceIdentity(String subject, Set<Permission> permissions) {
    /** Where the interceptor leaves the identity for the service. */
    static final Context.Key<ServiceIdentity> KEY = Context.key("switchboard-service-identity");

    public ServiceIdentity {
        Objects.requireNonNull(subject, "subject");
        permissions = Set.copyOf(permissions);
    }

    /** The sender user id of everything this service publishes: {@code "service:<sub>"}. */
    public String senderUserId() {
        return "service:" + subject;
    }
}
