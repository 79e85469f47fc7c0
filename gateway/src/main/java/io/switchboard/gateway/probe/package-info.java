/**
 * The delivery probe: each gateway publishes a small probe message at a fixed interval through a router, Kafka
 * and its own fan-out into a reserved room ({@code switchboard:probe-<n>}, one per partition) and measures how
 * long it takes to come back ({@link io.switchboard.gateway.probe.DeliveryProbe}); it also watches the probes of
 * the other gateways, which it discovers from the probes themselves ({@link io.switchboard.gateway.probe.PeerTracker}).
 * What it sees is exported as {@code switchboard_delivery_probe_*} ({@link io.switchboard.gateway.probe.ProbeMetrics})
 * and can gate readiness.
 */
package io.switchboard.gateway.probe;
