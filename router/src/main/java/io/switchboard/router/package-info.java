/**
 * The router tier: a grpc-java server that validates envelopes from gateways, deduplicates retries by
 * (sender user, id), appends them to the Kafka room log and answers only once Kafka has acknowledged.
 * {@link io.switchboard.router.RouterConfig}, {@link io.switchboard.router.RouterServer} and
 * {@link io.switchboard.router.RouterMain} are the public entry points; the publish path
 * ({@code PublishService}) depends only on the {@link io.switchboard.router.EnvelopeLog} seam, which
 * {@code io.switchboard.router.kafka} implements.
 */
package io.switchboard.router;
