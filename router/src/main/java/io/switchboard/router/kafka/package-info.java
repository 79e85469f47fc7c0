/**
 * The router's Kafka adapter: topic bootstrap through the AdminClient ({@link
 * io.switchboard.router.kafka.TopicBootstrap}), the idempotent producer behind {@link
 * io.switchboard.router.EnvelopeLog} ({@link io.switchboard.router.kafka.KafkaEnvelopeLog}) and, on the same
 * producer, the ephemeral and control records behind {@link io.switchboard.router.EventLog}, plus the
 * presence-topic follower that invalidates cached user presence ({@link
 * io.switchboard.router.kafka.PresenceRecordListener}). It writes the room log in the layout and codec of the {@code room-log} module
 * ({@link io.switchboard.roomlog.RoomRecords}) and knows nothing about gRPC or the router's configuration: it is
 * handed plain {@link java.util.Properties}.
 */
package io.switchboard.router.kafka;
