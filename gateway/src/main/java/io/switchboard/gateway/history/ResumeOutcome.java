package io.switchboard.gateway.history;

import java.util.List;
import java.util.Objects;

import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.proto.internal.v1.Envelope;

/** What replaying a resuming subscription's missed messages came to. Immutable. */
public sealed interface ResumeOutcome {
    /** Every missed message, in ascending position order (possibly none). */
    record Recovered(List<Envelope> messages) implements ResumeOutcome {
        public Recovered {
            messages = List.copyOf(messages);
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
