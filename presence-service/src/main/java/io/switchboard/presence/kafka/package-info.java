/**
 * Kafka side of the presence service: the {@link io.switchboard.presence.kafka.PresenceSink} seam that presence
 * records leave through, its Kafka implementation (idempotent, {@code acks=all}) and the creation of the
 * presence topic. Nothing here knows how presence is computed.
 */
package io.switchboard.presence.kafka;
