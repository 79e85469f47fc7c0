package io.switchboard.router;

import io.switchboard.proto.Names;
import io.switchboard.proto.internal.v1.ControlRecord;
import io.switchboard.proto.internal.v1.ControlRequest;
import io.switchboard.proto.internal.v1.EphemeralRecord;
import io.switchboard.proto.internal.v1.EphemeralRequest;
import io.switchboard.proto.internal.v1.Sender;
import io.switchboard.proto.internal.v1.SendToUserRequest;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The router's checks of PublishEphemeral, SendToUser and SendControl requests, run before anything is
 * allocated, queued or looked up. Answers INVALID_ARGUMENT naming the field (RESOURCE_EXHAUSTED only for a
 * direct message over {@code router.max-payload-bytes}, as for Publish). Immutable, hence thread-safe.
 */
final class EventValidator {
    /** Ephemeral events are small hints ("typing"), never content. */
    static final int MAX_EPHEMERAL_PAYLOAD = 1024;
    /** A WebSocket close reason must fit a control frame: 125 bytes minus the 2-byte code. */
    static final int MAX_CLOSE_REASON_BYTES = 123;
    static final int DISCONNECTED = 3503;
    private static final Pattern KIND = Pattern.compile("[A-Za-z0-9._-]{1,32}");
    private static final int MAX_SHORT_FIELD = EnvelopeValidator.MAX_SHORT_FIELD;

    private final int maxPayloadBytes;

    EventValidator(int maxPayloadBytes) {
        this.maxPayloadBytes = maxPayloadBytes;
    }

    Optional<RouterError> check(EphemeralRequest request) {
        if (!request.hasEvent()) {
            return invalid("event is required");
        }
        EphemeralRecord event = request.getEvent();
        Optional<String> problem = Names.roomProblem(event.getRoom())
                .or(() -> KIND.matcher(event.getKind()).matches() ? Optional.empty()
                        : Optional.of("kind: '" + printable(event.getKind()) + "' (expected: 1-32 of [A-Za-z0-9._-])"))
                .or(() -> senderProblem("event.sender", event.getSender()))
                .or(() -> event.getPayload().size() > MAX_EPHEMERAL_PAYLOAD
                        ? Optional.of("payload: " + event.getPayload().size() + " bytes (expected: <= "
                        + MAX_EPHEMERAL_PAYLOAD + ")")
                        : Optional.empty())
                .or(() -> shortField("content_type", event.getContentType()));
        return problem.flatMap(EventValidator::invalid);
    }

    Optional<RouterError> check(SendToUserRequest request) {
        Optional<String> problem = userProblem("user_id", request.getUserId())
                .or(() -> Names.idProblem(request.getId()))
                .or(() -> senderProblem("sender", request.getSender()))
                .or(() -> shortField("content_type", request.getContentType()));
        if (problem.isPresent()) {
            return invalid(problem.get());
        }
        int payload = request.getPayload().size();
        return payload > maxPayloadBytes ? Optional.of(PublishStatus.payloadTooLarge(payload, maxPayloadBytes))
                : Optional.empty();
    }

    Optional<RouterError> check(ControlRequest request) {
        if (!request.hasRecord()) {
            return invalid("record is required");
        }
        ControlRecord record = request.getRecord();
        for (String gateway : record.getGatewayIdsList()) {
            if (gateway.isEmpty() || gateway.length() > MAX_SHORT_FIELD) {
                return invalid("gateway_ids: '" + printable(gateway) + "' (expected: 1-" + MAX_SHORT_FIELD
                        + " characters)");
            }
        }
        Optional<String> problem = switch (record.getCommandCase()) {
            case DISCONNECT -> {
                var disconnect = record.getDisconnect();
                int code = disconnect.getCode();
                yield userProblem("disconnect.user_id", disconnect.getUserId())
                        .or(() -> shortField("disconnect.session_id", disconnect.getSessionId()))
                        .or(() -> code == DISCONNECTED || (code >= 4000 && code <= 4999) ? Optional.empty()
                                : Optional.of("disconnect.code: " + code + " (expected: 3503 or 4000-4999)"))
                        .or(() -> closeReason("disconnect.reason", disconnect.getReason()));
            }
            case CLOSE_ROOM -> Names.roomProblem(record.getCloseRoom().getRoom())
                    .or(() -> closeReason("close_room.reason", record.getCloseRoom().getReason()));
            case SUBSCRIBE -> userProblem("subscribe.user_id", record.getSubscribe().getUserId())
                    .or(() -> shortField("subscribe.session_id", record.getSubscribe().getSessionId()))
                    .or(() -> Names.roomProblem(record.getSubscribe().getRoom()).map(p -> "subscribe.room: " + p));
            case UNSUBSCRIBE -> userProblem("unsubscribe.user_id", record.getUnsubscribe().getUserId())
                    .or(() -> shortField("unsubscribe.session_id", record.getUnsubscribe().getSessionId()))
                    .or(() -> Names.roomProblem(record.getUnsubscribe().getRoom()).map(p -> "unsubscribe.room: " + p))
                    .or(() -> closeReason("unsubscribe.reason", record.getUnsubscribe().getReason()));
            case DELIVER -> Optional.of("record.deliver: not accepted here (expected: SendToUser, which deduplicates)");
            case COMMAND_NOT_SET -> Optional.of("record.command is required (expected: disconnect, close_room,"
                    + " subscribe or unsubscribe)");
        };
        return problem.flatMap(EventValidator::invalid);
    }

    private static Optional<String> senderProblem(String name, Sender sender) {
        return userProblem(name + ".user_id", sender.getUserId())
                .or(() -> shortField(name + ".session_id", sender.getSessionId()))
                .or(() -> shortField(name + ".gateway_id", sender.getGatewayId()));
    }

    private static Optional<String> userProblem(String name, String userId) {
        if (userId.isEmpty()) {
            return Optional.of(name + " is required");
        }
        return shortField(name, userId);
    }

    private static Optional<String> shortField(String name, String value) {
        return value.length() > MAX_SHORT_FIELD
                ? Optional.of(name + ": " + value.length() + " characters (expected: <= " + MAX_SHORT_FIELD + ")")
                : Optional.empty();
    }

    private static Optional<String> closeReason(String name, String reason) {
        int bytes = reason.getBytes(StandardCharsets.UTF_8).length;
        return bytes > MAX_CLOSE_REASON_BYTES
                ? Optional.of(name + ": " + bytes + " bytes (expected: <= " + MAX_CLOSE_REASON_BYTES + " UTF-8 bytes)")
                : Optional.empty();
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    private static Optional<RouterError> invalid(String description) {
        return Optional.of(PublishStatus.invalid(description));
    }
}
