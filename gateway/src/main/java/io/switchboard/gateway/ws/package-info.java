/**
 * The WebSocket edge: subprotocol negotiation and codecs (binary protobuf, canonical JSON), the per-connection
 * {@link io.switchboard.gateway.ws.ClientSession} that applies the protocol rules, the byte-bounded
 * {@link io.switchboard.gateway.ws.OutboundQueue} with its single writer (the one write path per connection),
 * publish handling, and the admission state used while draining.
 */
package io.switchboard.gateway.ws;
