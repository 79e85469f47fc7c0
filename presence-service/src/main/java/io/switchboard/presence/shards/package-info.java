/**
 * Sharing the presence work among several instances: which shard a room or user belongs to ({@link
 * io.switchboard.presence.shards.Shards}), which shards this instance owns ({@link
 * io.switchboard.presence.shards.Ownership}), decided by a Kafka consumer group ({@link
 * io.switchboard.presence.shards.ShardGroup}).
 */
package io.switchboard.presence.shards;
