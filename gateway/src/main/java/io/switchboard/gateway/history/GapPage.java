package io.switchboard.gateway.history;

import java.util.List;
import java.util.OptionalLong;

import io.switchboard.proto.internal.v1.Envelope;

/**
 * One page of the messages a resuming subscription missed, in ascending position order, every one below the
 * subscription's hand-over point. Immutable.
 *
 * @param messages      the page (possibly empty, e.g. a shared page that ended before this caller's range)
 * @param continueAfter where the next page starts (exclusive); empty when the gap is complete
 */
public record GapPage(List<Envelope> messages, OptionalLong continueAfter) {
    public GapPage {
        messages = List.copyOf(messages);
    }

    /** True when no page follows. */
    public boolean last() {
        return continueAfter.isEmpty();
    }
}
