/**
 * End-to-end benchmarks of Switchboard, each run beside a baseline in the same JVM run: a fixed-rate load
 * generator of protocol-level WebSocket clients drives first a bare Helidon WebSocket broadcast server
 * ({@link io.switchboard.bench.BroadcastBaseline}), then a {@link io.switchboard.launcher.LocalCluster}, and
 * reports publish-to-deliver latency (measured from each message's intended send time, so a stalled
 * publisher cannot hide latency) and delivery throughput. Figures are for reading, never for pass/fail.
 */
package io.switchboard.bench;
