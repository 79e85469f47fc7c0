/**
 * The gateway's optional second WebSocket listener on Netty ({@code gateway.netty.port}): the same endpoint,
 * subprotocols, admission, origin rule, connection caps and frame limits as the Helidon port, serving the same
 * sessions through {@link io.switchboard.gateway.ws.ConnectionHandler} and
 * {@link io.switchboard.gateway.ws.FrameSink}, but parking an idle connection as a registered channel instead of a
 * thread. Frames are handled off the event loop, one at a time per connection, on virtual threads.
 */
package io.switchboard.gateway.ws.netty;
