package io.switchboard.router;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.switchboard.proto.Names;
import io.switchboard.proto.internal.v1.ControlRequest;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.EphemeralRequest;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.SendToUserRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz tests of the router's authoritative request checks (Jazzer), fed what a gRPC caller can send: any bytes,
 * decoded as the request message. In the normal build they run as regression tests over the committed inputs
 * ({@code EnvelopeValidationFuzzTestInputs/<method>/}: valid requests, plus every input that once failed); with
 * {@code JAZZER_FUZZ=1} (or {@code -Pfuzz}) one fuzzes for {@code -Djazzer.max_duration} (docs/contributing.md).
 *
 * <p>The properties: a check never throws; it refuses only with INVALID_ARGUMENT (with a description) or, for an
 * oversized payload, RESOURCE_EXHAUSTED; and what it accepts satisfies every documented rule (room and id syntax,
 * payload limit, the 128-character short fields), so nothing malformed reaches Kafka.
 */
class EnvelopeValidationFuzzTest {
    private static final int MAX_PAYLOAD_BYTES = 65_536;
    private static final EnvelopeValidator ENVELOPES = new EnvelopeValidator(MAX_PAYLOAD_BYTES);
    private static final EventValidator EVENTS = new EventValidator(MAX_PAYLOAD_BYTES);

    @FuzzTest(maxDuration = "2m")
    void publishRequest(byte[] input) {
        PublishRequest request;
        try {
            request = PublishRequest.parseFrom(input);
        } catch (InvalidProtocolBufferException e) {
            return; // gRPC refuses it before the service sees it
        }
        Optional<RouterError> refused = ENVELOPES.check(request);
        if (refused.isPresent()) {
            assertRefusal(refused.get());
            return;
        }
        Envelope e = request.getEnvelope();
        assertThat(Names.roomProblem(e.getRoom())).isEmpty();
        assertThat(Names.idProblem(e.getId())).isEmpty();
        assertThat(e.getPayload().size()).isLessThanOrEqualTo(MAX_PAYLOAD_BYTES);
        assertThat(e.getSender().getUserId()).isNotEmpty();
        assertThat(Arrays.asList(e.getContentType(), e.getTraceId(), e.getSender().getUserId(),
                e.getSender().getSessionId(), e.getSender().getGatewayId()))
                .allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(EnvelopeValidator.MAX_SHORT_FIELD));
    }

    /** The first byte picks the request (ephemeral, direct message, control); the rest is its encoding. */
    @FuzzTest(maxDuration = "2m")
    void eventRequest(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        Optional<RouterError> refused;
        try {
            refused = switch (Math.floorMod(input[0], 3)) {
                case 0 -> EVENTS.check(EphemeralRequest.parseFrom(body));
                case 1 -> EVENTS.check(SendToUserRequest.parseFrom(body));
                default -> EVENTS.check(ControlRequest.parseFrom(body));
            };
        } catch (InvalidProtocolBufferException e) {
            return;
        }
        if (refused.isPresent()) {
            assertRefusal(refused.get());
            return;
        }
        if (Math.floorMod(input[0], 3) == 2) {
            ControlRequest control = parse(body);
            control.getRecord().getGatewayIdsList().forEach(g -> assertThat(g).isNotEmpty());
            String reason = switch (control.getRecord().getCommandCase()) {
                case DISCONNECT -> control.getRecord().getDisconnect().getReason();
                case CLOSE_ROOM -> control.getRecord().getCloseRoom().getReason();
                case UNSUBSCRIBE -> control.getRecord().getUnsubscribe().getReason();
                default -> "";
            };
            // A close reason must fit a WebSocket close frame on every gateway that applies the command.
            assertThat(reason.getBytes(StandardCharsets.UTF_8).length)
                    .isLessThanOrEqualTo(EventValidator.MAX_CLOSE_REASON_BYTES);
        }
    }

    private static ControlRequest parse(byte[] body) {
        try {
            return ControlRequest.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertRefusal(RouterError error) {
        assertThat(error.code()).isIn(Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED);
        assertThat(error.description()).isNotBlank();
    }
}
