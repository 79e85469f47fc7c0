package io.switchboard.router;

import io.switchboard.proto.Inboxes;
import io.switchboard.proto.Names;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.Sender;

import java.util.Optional;

/**
 * The router's authoritative envelope checks, run before anything is allocated or queued. Returns the
 * status to answer with: INVALID_ARGUMENT naming the field, or RESOURCE_EXHAUSTED for an oversized payload.
 * Immutable, hence thread-safe.
 */
final class EnvelopeValidator {
    /** Limit for the free-form short strings: content type, trace id and the sender's fields. */
    static final int MAX_SHORT_FIELD = 128;

    private final int maxPayloadBytes;

    EnvelopeValidator(int maxPayloadBytes) {
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** Why {@code request} cannot be published, or empty when it can. */
    Optional<RouterError> check(PublishRequest request) {
        if (!request.hasEnvelope()) {
            return invalid("envelope is required");
        }
        Envelope envelope = request.getEnvelope();
        Optional<String> problem = Names.idProblem(envelope.getId())
                .or(() -> Names.roomProblem(envelope.getRoom()))
                .or(() -> inboxProblem(envelope))
                .or(() -> senderProblem(envelope))
                .or(() -> Names.conflationKeyProblem(envelope.getConflationKey()));
        if (problem.isPresent()) {
            return invalid(problem.get());
        }
        int payload = envelope.getPayload().size();
        if (payload > maxPayloadBytes) {
            return Optional.of(PublishStatus.payloadTooLarge(payload, maxPayloadBytes));
        }
        return shortField("content_type", envelope.getContentType())
                .or(() -> shortField("trace_id", envelope.getTraceId()))
                .flatMap(EnvelopeValidator::invalid);
    }

    /** Only stored direct messages write into inboxes, and they write nowhere else. */
    private static Optional<String> inboxProblem(Envelope envelope) {
        boolean inbox = Inboxes.isInbox(envelope.getRoom());
        if (inbox == envelope.getDirect()) {
            return Optional.empty();
        }
        return Optional.of(inbox
                ? "room: '" + envelope.getRoom() + "' is an inbox (expected: written by stored direct messages only)"
                : "direct: true for room '" + envelope.getRoom() + "' (expected: an inbox room)");
    }

    private static Optional<String> senderProblem(Envelope envelope) {
        Sender sender = envelope.getSender();
        if (sender.getUserId().isEmpty()) {
            return Optional.of("sender.user_id is required");
        }
        return shortField("sender.user_id", sender.getUserId())
                .or(() -> shortField("sender.session_id", sender.getSessionId()))
                .or(() -> shortField("sender.gateway_id", sender.getGatewayId()));
    }

    private static Optional<String> shortField(String name, String value) {
        return value.length() > MAX_SHORT_FIELD
                ? Optional.of(name + ": " + value.length() + " characters (expected: <= " + MAX_SHORT_FIELD + ")")
                : Optional.empty();
    }

    private static Optional<RouterError> invalid(String description) {
        return Optional.of(PublishStatus.invalid(description));
    }
}
