/**
 * The bare Netty WebSocket broadcast server, the {@code netty} target of {@code load compare}: the Helidon
 * baseline's protocol ({@link io.switchboard.bench.baseline}) on Netty's event loops (epoll when available), each
 * broadcast encoded once per subprotocol and its bytes shared by every subscriber, one task per event loop, and
 * flushes consolidated per event-loop batch. It shows the ceiling of a Netty listener on this machine.
 */
package io.switchboard.bench.netty;
