/**
 * Durable storage of room messages: the {@link io.switchboard.history.store.MessageStore} contract (atomic
 * batch append together with per-partition ingest progress, paged reads by room, retention deletes) and its
 * embedded RocksDB implementation {@link io.switchboard.history.store.RocksMessageStore}. Another backend
 * (a shared database) implements the same interface and passes the same contract test suite.
 */
package io.switchboard.history.store;
