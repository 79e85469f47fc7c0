package io.switchboard.gateway.ws;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.gateway.session.PublishHandler;
import io.switchboard.proto.Names;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Publish;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz tests of both client frame decoders and the gateway's early Publish checks (Jazzer). In the normal build
 * they run as regression tests over the committed inputs ({@code FrameDecoderFuzzTestInputs/<method>/}: a valid
 * frame of every type in each encoding, plus every input that once failed); with {@code JAZZER_FUZZ=1} (or
 * {@code -Pfuzz}) one of them fuzzes for {@code -Djazzer.max_duration} (docs/contributing.md).
 *
 * <p>The properties: decoding any bytes either yields a frame or throws {@link ProtocolViolation} (which closes
 * the connection 3502), never anything else; a decoded frame survives re-encoding unchanged; the JSON fast path
 * for Publish and Connect reads exactly what protobuf's JsonFormat reads; and the early Publish checks answer only with
 * their documented codes, accepting only what the router's syntax rules accept.
 */
class FrameDecoderFuzzTest {
    private static final int MAX_PAYLOAD_BYTES = 65_536;
    private static final Set<ErrorCode> PUBLISH_CHECK_CODES =
            EnumSet.of(ErrorCode.INVALID_ROOM, ErrorCode.INVALID_ID, ErrorCode.PAYLOAD_TOO_LARGE);
    private static final PublishHandler PUBLISH_CHECKS =
            new PublishHandler(null, Duration.ofSeconds(1), MAX_PAYLOAD_BYTES, null, Clock.systemUTC());

    @FuzzTest(maxDuration = "2m")
    void protoFrame(byte[] input) throws Exception {
        ClientFrame frame;
        try {
            frame = Subprotocol.PROTO.codec().decode(input);
        } catch (ProtocolViolation e) {
            assertThat(e.getMessage()).startsWith("malformed protobuf frame");
            return;
        }
        assertThat(ClientFrame.parseFrom(frame.toByteArray())).isEqualTo(frame);
        assertThat(FrameCodec.typeOf(frame)).isNotEmpty();
        checkPublish(frame);
    }

    @FuzzTest(maxDuration = "2m")
    void jsonFrame(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        ClientFrame fast = JsonFastFrameParser.parse(text);
        ClientFrame frame;
        try {
            frame = Subprotocol.JSON.codec().decode(text);
        } catch (ProtocolViolation e) {
            assertThat(e.getMessage()).startsWith("malformed JSON frame");
            assertThat(fast).as("the fast path (Publish, Connect) accepted a frame the codec refuses").isNull();
            return;
        }
        if (fast != null) {
            assertThat(fast).as("the fast path (Publish, Connect) reads what JsonFormat reads")
                    .isEqualTo(viaJsonFormat(text));
        }
        // What the gateway decoded, printed in the canonical mapping, reads back as the same frame.
        assertThat(Subprotocol.JSON.codec().decode(JsonFormat.printer().print(frame))).isEqualTo(frame);
        checkPublish(frame);
    }

    private static ClientFrame viaJsonFormat(String text) throws InvalidProtocolBufferException {
        ClientFrame.Builder b = ClientFrame.newBuilder();
        JsonFormat.parser().merge(text, b);
        return b.build();
    }

    /** The early checks answer a Publish with one of their codes, and pass only what the router's rules pass. */
    private static void checkPublish(ClientFrame frame) {
        if (!frame.hasPublish()) {
            return;
        }
        Publish p = frame.getPublish();
        Optional<ClientError> refused = PUBLISH_CHECKS.validate(p);
        if (refused.isPresent()) {
            assertThat(refused.get().code()).isIn(PUBLISH_CHECK_CODES);
            assertThat(refused.get().message()).isNotBlank();
        } else {
            assertThat(Names.roomProblem(p.getRoom())).isEmpty();
            assertThat(p.getId().isEmpty() || Names.idProblem(p.getId()).isEmpty()).isTrue();
            assertThat(p.getPayload().size()).isLessThanOrEqualTo(MAX_PAYLOAD_BYTES);
        }
    }
}
