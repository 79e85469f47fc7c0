/**
 * What keeps one gateway safe on the open internet: which browser origins may open a WebSocket and call the HTTP
 * endpoints with CORS ({@link io.switchboard.gateway.limits.OriginPolicy}), who the client is behind a load balancer
 * ({@link io.switchboard.gateway.limits.ClientIpResolver}), how many connections the gateway, one client address
 * and one user may hold ({@link io.switchboard.gateway.limits.ConnectionCaps}), and how many frames and bytes per
 * second one connection may send ({@link io.switchboard.gateway.limits.FrameRateLimiter}). Every key is in
 * {@link io.switchboard.gateway.limits.LimitKeys}; every refusal is counted by
 * {@link io.switchboard.gateway.limits.LimitMetrics}.
 */
package io.switchboard.gateway.limits;
