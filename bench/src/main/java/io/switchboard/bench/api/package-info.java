/**
 * Benchmarks of the public server API (SwitchboardApi) against a running stack: PublishStream throughput and
 * publish-to-ack latency, with WebSocket subscribers confirming delivery.
 */
package io.switchboard.bench.api;
