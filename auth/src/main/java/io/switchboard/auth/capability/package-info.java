/**
 * Who may do what in which room, as pure logic: the {@code rooms} and {@code direct} claims of a client token
 * ({@link io.switchboard.auth.capability.Capabilities}), per-namespace policies
 * ({@link io.switchboard.auth.capability.NamespacePolicies}) and the decision that combines them
 * ({@link io.switchboard.auth.capability.RoomAccess}). No I/O: asking the application's backend is the
 * gateway's job when a decision says so.
 */
package io.switchboard.auth.capability;
