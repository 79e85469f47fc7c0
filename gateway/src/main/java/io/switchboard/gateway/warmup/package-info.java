/**
 * The start-up warm-up: before the gateway reports ready it publishes messages of its own through a router, Kafka
 * and its fan-out into the probe rooms and delivers them to a subscriber inside the gateway, so that the JIT compiles
 * the publish and delivery path before clients arrive ({@link io.switchboard.gateway.warmup.PathWarmUp}, keys
 * {@code gateway.warm-up.*} in {@link io.switchboard.gateway.warmup.WarmUpKeys}).
 */
package io.switchboard.gateway.warmup;
