package io.switchboard.history.store;

import java.util.List;

/**
 * One page of a room's messages in ascending offset order. Immutable.
 *
 * @param messages the messages, ascending
 * @param hasMore  whether more messages exist beyond the page in the direction read
 */
public record Page(List<StoredMessage> messages, boolean hasMore) {
    public Page {
        messages = List.copyOf(messages);
    }
}
