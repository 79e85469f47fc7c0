package io.switchboard.presence.shards;

/**
 * Maps a room or user id to one of {@code count} shards: {@code floorMod(key.hashCode(), count)}. String's hash is
 * specified by the JLS, so every instance, on any JVM, agrees. Immutable.
 *
 * @param count the number of shards (the coordination topic's partitions)
 */
public record Shards(int count) {
    public Shards {
        if (count < 1) {
            throw new IllegalArgumentException("count: " + count + " (expected: >= 1)");
        }
    }

    /** The shard of a room name or user id. */
    public int of(String key) {
        return Math.floorMod(key.hashCode(), count);
    }
}
