package io.switchboard.router;

import com.google.protobuf.ByteString;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.Sender;

import java.nio.charset.StandardCharsets;

/** Test envelopes. */
final class Envelopes {
    private Envelopes() {
    }

    static Envelope.Builder envelope(String room, String id) {
        return Envelope.newBuilder()
                .setId(id)
                .setRoom(room)
                .setSender(Sender.newBuilder().setUserId("alice").setSessionId("s1").setGatewayId("gw-1"))
                .setPayload(ByteString.copyFrom("hello " + id, StandardCharsets.UTF_8))
                .setContentType("text/plain")
                .setTraceId("trace-" + id);
    }

    static PublishRequest request(String room, String id) {
        return PublishRequest.newBuilder().setEnvelope(envelope(room, id)).build();
    }

    static PublishRequest request(Envelope.Builder envelope) {
        return PublishRequest.newBuilder().setEnvelope(envelope).build();
    }
}
