/**
 * The broadcast baselines' protocol, apart from any transport: the subprotocols and the frames they exchange
 * ({@link io.switchboard.bench.baseline.BaselineFrames}), in-memory rooms
 * ({@link io.switchboard.bench.baseline.BaselineRooms}) and one connection's handling of Connect, Subscribe,
 * Unsubscribe, Publish and Ping ({@link io.switchboard.bench.baseline.BaselineSession}). The Helidon and the Netty
 * baselines plug their connections in as a {@link io.switchboard.bench.baseline.BaselinePeer}.
 */
package io.switchboard.bench.baseline;
