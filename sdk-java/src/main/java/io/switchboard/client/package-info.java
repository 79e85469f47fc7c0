/**
 * A Java client for the Switchboard WebSocket protocol ({@code switchboard.v1.proto}, see docs/protocol.md):
 * {@link io.switchboard.client.SwitchboardClient} connects, reconnects with exponential backoff and full jitter,
 * resumes subscriptions from the last processed position without gaps or duplicates, acknowledges publishes
 * (queued while offline and resent with the same ids), refreshes its token, and relays presence, typing and
 * direct messages. The public API is the few public types here; the package-private classes (state machine,
 * backoff, offline queue, room tracker, deduplicator, transport) are the implementation and may change.
 */
package io.switchboard.client;
