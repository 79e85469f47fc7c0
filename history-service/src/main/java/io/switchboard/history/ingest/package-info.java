/**
 * Kafka side of the history service: the single ingest thread ({@link io.switchboard.history.ingest.KafkaIngester}) that copies records into the
 * {@link io.switchboard.history.store.MessageStore}, resuming from the offsets stored atomically with the messages
 * so that a crash never loses or duplicates one. The room log's layout and record codec are the {@code room-log}
 * module's. {@link io.switchboard.history.ingest.IngestSignal} wakes readers
 * waiting for ingestion to catch up.
 */
package io.switchboard.history.ingest;
