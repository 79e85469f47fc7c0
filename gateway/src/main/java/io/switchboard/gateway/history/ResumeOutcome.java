package io.switchboard.gateway.history;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.proto.internal.v1.Envelope;

/** What starting the replay of a resuming subscription's missed messages came to. Immutable. */
public sealed interface ResumeOutcome {
    /**
     * Every missed message can be replayed: {@code replayed} of them in all, the first page of which is
     * {@code first}; when {@code first} is not the last page, the rest is read page by page from
     * {@code first.continueAfter()}.
     */
    record Recovered(GapPage first, long replayed) implements ResumeOutcome {
        public Recovered {
            Objects.requireNonNull(first, "first");
            if (replayed < first.messages().size()) {
                throw new IllegalArgumentException("replayed: " + replayed + " (expected: >= "
                        + first.messages().size() + ", the first page)");
            }
        }

        /** A gap that fits in one page. */
        public static Recovered all(List<Envelope> messages) {
            return new Recovered(new GapPage(messages, OptionalLong.empty()), messages.size());
        }
    }

    /** Missed messages cannot be replayed; the subscription goes live anyway and the client is told why. */
    record NotRecovered(RecoveryFailure reason) implements ResumeOutcome {
        public NotRecovered {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** History could not be asked now: the subscription is not established, the client gets this error. */
    record Failed(ClientError error) implements ResumeOutcome {
        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }
}
