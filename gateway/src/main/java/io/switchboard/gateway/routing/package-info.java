/**
 * Calls to routers: the {@link io.switchboard.gateway.routing.RouterClient} seam and its gRPC implementation
 * ({@link io.switchboard.gateway.routing.GrpcRouterClient}): routers from a static list or DNS discovery, one
 * channel and one circuit breaker per router, rendezvous ranking of routers per key (room or "user:&lt;id&gt;"),
 * failover of UNAVAILABLE calls to the next router, and the one table that maps router statuses to client error
 * codes ({@link io.switchboard.gateway.routing.StatusMapper}).
 */
package io.switchboard.gateway.routing;
