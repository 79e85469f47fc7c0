/**
 * permessage-deflate (RFC 7692) on the gateway's WebSocket endpoint, kept on Helidon: the negotiation of the
 * {@code Sec-WebSocket-Extensions} offer ({@link io.switchboard.gateway.ws.deflate.PerMessageDeflate}), an upgrader
 * registered in place of Helidon's for the gateway's WebSocket configuration only
 * ({@link io.switchboard.gateway.ws.deflate.DeflateUpgradeProvider}), and the connection that serves a client which
 * negotiated the extension ({@link io.switchboard.gateway.ws.deflate.DeflateWsConnection}): Helidon 4.5's own frame
 * reader refuses any frame with RSV1 set. Connections without the extension stay Helidon's.
 */
package io.switchboard.gateway.ws.deflate;
