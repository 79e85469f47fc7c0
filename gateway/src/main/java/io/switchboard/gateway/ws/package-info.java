/**
 * The WebSocket transport: the Helidon listener (subprotocol negotiation before the upgrade against the
 * {@link io.switchboard.gateway.ws.ProtocolTable} of offered versions and options, fragment reassembly within the
 * frame limit, UTF-8 checks), the codecs of the two encodings (binary protobuf, canonical JSON), the batching sink of
 * the {@code +batch} subprotocols,
 * and the byte-bounded {@link io.switchboard.gateway.ws.OutboundQueue} with its single writer into a
 * {@link io.switchboard.gateway.ws.FrameSink} (the one write path per connection), or, when configured, by
 * the {@link io.switchboard.gateway.ws.WriterLanes} shared by many connections. What a connection's frames
 * mean is behind {@link io.switchboard.gateway.ws.ConnectionHandler}, implemented in
 * {@code io.switchboard.gateway.session}; this package depends on no other gateway package.
 */
package io.switchboard.gateway.ws;
