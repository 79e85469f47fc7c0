/**
 * The history service: consumes the Kafka room log into a durable store and serves paged room history over
 * gRPC ({@code HistoryService.Read}) so gateways can replay what a client missed. {@link
 * io.switchboard.history.HistoryConfig}, {@link io.switchboard.history.HistoryServer} and {@link
 * io.switchboard.history.HistoryMain} are the entry points; storage lives behind {@code
 * io.switchboard.history.store.MessageStore} and ingestion in {@code io.switchboard.history.ingest}.
 */
package io.switchboard.history;
