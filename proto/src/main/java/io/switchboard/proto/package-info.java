/**
 * Rules of the Switchboard protocol that every tier applies the same way: the syntax of room names and
 * idempotency ids, and how a room's log epoch is spelled. The messages themselves are generated from
 * {@code src/main/proto} into {@code io.switchboard.proto.client.v1} (client wire protocol) and
 * {@code io.switchboard.proto.internal.v1} (envelope and tier-to-tier services).
 */
package io.switchboard.proto;
