/**
 * The Switchboard gateway: the stateless WebSocket edge that authenticates clients, forwards their publishes to
 * the router owning each room over gRPC, and fans room messages out from Kafka to local subscribers. The public
 * API is {@link io.switchboard.gateway.GatewayConfig}, {@link io.switchboard.gateway.GatewayServer} and
 * {@link io.switchboard.gateway.GatewayMain}; the sub-packages hold the parts, one job each.
 */
package io.switchboard.gateway;
