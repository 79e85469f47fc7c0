/**
 * The router tier: a grpc-java server that validates envelopes from gateways, deduplicates retries by
 * (sender user, id), appends them to the Kafka room log and answers only once Kafka has acknowledged; it also
 * writes ephemeral events (throttled, {@code EphemeralService}), direct messages ({@code
 * DirectMessageService}, addressed through a cached presence lookup) and control records ({@code
 * ControlService}) to their side topics. {@link io.switchboard.router.RouterConfig}, {@link
 * io.switchboard.router.RouterServer} and {@link io.switchboard.router.RouterMain} are the public entry
 * points; the handlers depend only on the
 * {@link io.switchboard.router.EnvelopeLog} and {@link io.switchboard.router.EventLog} seams, which {@code
 * io.switchboard.router.kafka} implements.
 */
package io.switchboard.router;
