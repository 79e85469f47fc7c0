package io.switchboard.router.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/**
 * Authenticates SwitchboardApi calls: {@code authorization: Bearer <service token>}, verified by {@link
 * ServiceTokenVerifier}, then checked against {@link MethodPermissions}. A missing or invalid token closes the
 * call UNAUTHENTICATED, a token without the method's permission PERMISSION_DENIED naming it; otherwise the
 * {@link ServiceIdentity} is put into the call's {@link Context}. Applied to SwitchboardApi's service definition
 * only, so health and reflection stay open. Thread-safe (stateless apart from the thread-safe verifier).
 */
final class ServiceAuthInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "bearer ";

    private final ServiceTokenVerifier verifier;

    ServiceAuthInterceptor(ServiceTokenVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Optional<Permission> required = MethodPermissions.required(method);
        if (required.isEmpty()) {
            return refuse(call, Status.PERMISSION_DENIED.withDescription("method " + method + " has no permission"
                    + " rule"));
        }
        String header = headers.get(AUTHORIZATION);
        if (header == null || header.isBlank()) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("authorization header is required"
                    + " (expected: Bearer <service token>)"));
        }
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("authorization: not a Bearer token"
                    + " (expected: Bearer <service token>)"));
        }
        ServiceIdentity identity;
        try {
            identity = verifier.verify(header.substring(BEARER.length()).strip());
        } catch (ServiceTokenVerifier.InvalidToken e) {
            return refuse(call, e.status());
        }
        if (!identity.permissions().contains(required.get())) {
            return refuse(call, Status.PERMISSION_DENIED.withDescription("permission '" + required.get().scope()
                    + "' is required for " + shortName(method) + " (token scope: "
                    + identity.permissions().stream().map(Permission::scope).sorted().toList() + ")"));
        }
        Context context = Context.current().withValue(ServiceIdentity.KEY, identity);
        return Contexts.interceptCall(context, call, headers, next);
    }

    private static String shortName(String fullMethodName) {
        return fullMethodName.substring(fullMethodName.lastIndexOf('/') + 1);
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
