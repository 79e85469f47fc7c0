/**
 * Paced draining of a gateway's connections, for rolling deploys and scale-in: every connection first gets a
 * Drain frame (reconnect within a window), then close 3000 SERVER_SHUTDOWN once its in-flight publishes were
 * answered, a batch at a time so that the clients' reconnects do not hit the other gateways all at once
 * ({@link io.switchboard.gateway.drain.PacedDrain}); and the token-guarded admin endpoint that starts a drain and
 * reports its progress ({@link io.switchboard.gateway.drain.DrainAdminService}).
 */
package io.switchboard.gateway.drain;
