package io.switchboard.presence.shards;

/**
 * Whether this instance writes the records of a room or user and answers its member pages. Implementations are
 * thread-safe and answer without blocking.
 */
@FunctionalInterface
public interface Ownership {
    /** A single instance: it owns every room and user. */
    Ownership ALL = key -> true;

    /** Whether this instance owns the shard of {@code key} (a room name or a user id) now. */
    boolean owns(String key);
}
