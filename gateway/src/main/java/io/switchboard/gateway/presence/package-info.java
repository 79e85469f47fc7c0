/**
 * The gateway's side of presence: {@link io.switchboard.gateway.presence.PresenceReporter} batches the
 * connection and membership changes of this gateway's sessions into sequenced Reports (heartbeats keep the
 * lease alive, a full Sync repairs any lost batch), and {@link io.switchboard.gateway.presence.PresenceDirectory}
 * answers member-list queries; both talk to the presence service over one gRPC channel.
 */
package io.switchboard.gateway.presence;
