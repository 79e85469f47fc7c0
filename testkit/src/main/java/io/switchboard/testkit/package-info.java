/**
 * Test fixtures shared by every module's tests and by the load generator: a protocol-level WebSocket
 * client that speaks both subprotocols, a raw frame writer for deliberately broken frames, JWT minting,
 * a real HAProxy in front of gateways ({@link io.switchboard.testkit.Haproxy}), and free-port lookup. Nothing here is used by a production code path.
 */
package io.switchboard.testkit;
