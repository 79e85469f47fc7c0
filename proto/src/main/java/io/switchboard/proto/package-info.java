/**
 * Rules of the Switchboard protocol that every tier applies the same way: the syntax of room names and
 * idempotency ids (the room log's layout and epochs are the {@code room-log} module's), and how a stored envelope becomes the client message
 * ({@code Messages}). The messages themselves are generated from {@code src/main/proto} into
 * {@code io.switchboard.proto.client.v1} (client wire protocol), {@code io.switchboard.proto.internal.v1}
 * (envelope and tier-to-tier services) and {@code io.switchboard.proto.api.v1} (the public server API).
 */
package io.switchboard.proto;
