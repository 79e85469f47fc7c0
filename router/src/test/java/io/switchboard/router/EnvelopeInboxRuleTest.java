package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.Sender;
import org.junit.jupiter.api.Test;

/** Only stored direct messages (envelopes marked {@code direct}) are stored into inboxes, and only there. */
class EnvelopeInboxRuleTest {
    private static final EnvelopeValidator VALIDATOR = new EnvelopeValidator(1024);

    private static PublishRequest request(String room, boolean direct) {
        return PublishRequest.newBuilder().setEnvelope(Envelope.newBuilder().setId("m-1").setRoom(room)
                .setSender(Sender.newBuilder().setUserId("alice")).setDirect(direct)).build();
    }

    @Test
    void aDirectMessageIsStoredIntoAnInbox() {
        assertThat(VALIDATOR.check(request("inbox:bob", true))).isEmpty();
        assertThat(VALIDATOR.check(request("chat:lobby", false))).isEmpty();
    }

    @Test
    void anInboxRefusesAnythingElseAndADirectMessageGoesNowhereElse() {
        assertThat(VALIDATOR.check(request("inbox:bob", false))).hasValueSatisfying(e -> {
            assertThat(e.status().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.description()).isEqualTo(
                    "room: 'inbox:bob' is an inbox (expected: written by stored direct messages only)");
        });
        assertThat(VALIDATOR.check(request("chat:lobby", true))).hasValueSatisfying(e ->
                assertThat(e.description()).isEqualTo("direct: true for room 'chat:lobby' (expected: an inbox room)"));
    }
}
