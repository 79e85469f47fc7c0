/**
 * The HTTP fallback transport, for clients whose network refuses WebSocket upgrades: a Server-Sent Events stream
 * carries server frames and HTTP POSTs carry client frames, both in the JSON mapping, into the same sessions as the
 * WebSocket endpoint ({@code io.switchboard.gateway.session}) through the same transport interfaces
 * ({@code io.switchboard.gateway.ws.ConnectionHandler}, {@code FrameSink}). The wire rules are in docs/protocol.md,
 * section 15.
 */
package io.switchboard.gateway.sse;
