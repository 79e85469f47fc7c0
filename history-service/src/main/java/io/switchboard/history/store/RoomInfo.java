package io.switchboard.history.store;

import java.util.OptionalLong;

/**
 * What the store knows about one room. Immutable.
 *
 * @param partition   the Kafka partition of the room
 * @param count       how many messages are stored
 * @param oldest      the oldest stored offset, empty when none is stored
 * @param deletedUpTo the highest offset deleted by retention, empty when retention never deleted any
 */
public record RoomInfo(int partition, long count, OptionalLong oldest, OptionalLong deletedUpTo) {
}
