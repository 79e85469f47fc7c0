/**
 * Room authorization at the gateway, outside the session: {@link io.switchboard.gateway.authz.RoomAuthorizer}
 * combines the token's capabilities and the namespace policies (the auth module's
 * {@link io.switchboard.auth.capability.RoomAccess}) with {@link io.switchboard.gateway.authz.BackendAuthorizer},
 * the client of the application's {@code switchboard.api.v1.Authorizer} (Caffeine cache with the answer's TTL,
 * a deadline, a Resilience4j circuit breaker). Configured by {@link io.switchboard.gateway.authz.AuthzConfig}
 * ({@code gateway.authz.*}). Sessions ask it through {@code gateway.session.RoomPermissions}, with a
 * {@link io.switchboard.gateway.authz.Principal} per token.
 */
package io.switchboard.gateway.authz;
