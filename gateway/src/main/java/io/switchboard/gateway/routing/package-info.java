/**
 * Publishing to routers: the {@link io.switchboard.gateway.routing.RouterClient} seam, its gRPC implementation
 * (one channel per router, rendezvous hashing of rooms to their owner) and the one table that maps router
 * statuses to client error codes ({@link io.switchboard.gateway.routing.StatusMapper}).
 */
package io.switchboard.gateway.routing;
