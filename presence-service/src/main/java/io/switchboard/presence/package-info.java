/**
 * The presence service: keeps who is connected where and who is in which room as soft state rebuilt from gateway
 * reports (leases, resync), answers {@code PresenceService} queries over gRPC and writes batched room and user
 * deltas to the Kafka presence topic. {@link io.switchboard.presence.PresenceConfig},
 * {@link io.switchboard.presence.PresenceServer} and {@link io.switchboard.presence.PresenceMain} are the entry
 * points; the model lives in {@code io.switchboard.presence.state}, the Kafka side in
 * {@code io.switchboard.presence.kafka}.
 */
package io.switchboard.presence;
