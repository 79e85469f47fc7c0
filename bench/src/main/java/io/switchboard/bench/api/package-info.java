/**
 * Benchmark of the public server API (SwitchboardApi): PublishStream against unary Publish calls with the same
 * number of publishes outstanding, msgs/s and publish-to-ack latency, with WebSocket subscribers receiving.
 */
package io.switchboard.bench.api;
