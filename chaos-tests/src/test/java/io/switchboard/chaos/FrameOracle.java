package io.switchboard.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.chaos.FrameMutator.Sample;
import io.switchboard.chaos.FrameMutator.WsFrame;
import io.switchboard.gateway.ws.ProtocolViolation;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.testkit.Subprotocol;

/**
 * What the protocol says the gateway answers to a frame, and which codes exist at all. The codes come from the
 * table in {@code docs/protocol.md} (section 6), read at run time: a code the gateway sends that is not in that
 * table is a failure, whatever the frame. The expected answer follows the documented rules in the order the
 * gateway applies them: WebSocket framing (RFC 6455 violations; the frame limit, 1009), then the text encoding
 * (1007), then the subprotocol's decoding (3502: malformed, unknown field, no frame type, the wrong frame kind),
 * then the session (3502 before Connect; 3500 for a Connect with a bad token). A frame that passes all of them is
 * a request: answered, and the connection stays open. Decoding uses protobuf for the binary subprotocol and the
 * gateway's published JSON decoder (protobuf's canonical JSON mapping, with the documented number limits) for the
 * JSON one; the decoders themselves are fuzzed on their own (FrameDecoderFuzzTest). Immutable.
 */
final class FrameOracle {
    /** What a frame earns. */
    sealed interface Expectation {
    }

    /** The connection closes with one of these codes. */
    record Closes(Set<Integer> codes, String rule) implements Expectation {
    }

    /**
     * The connection ends without a WebSocket close frame: what the WebSocket layer does with a frame whose opcode
     * RFC 6455 reserves (it answers an HTTP error on the upgraded connection and closes it; documented).
     */
    record Ends(String rule) implements Expectation {
    }

    /** A request: answered (reply or Error), the connection stays open. */
    record Request(ClientFrame frame) implements Expectation {
    }

    /** RFC 6455 "fail the connection": a reserved opcode or bit, an unmasked or orphaned frame. */
    static final int CLOSE_WS_PROTOCOL_ERROR = 1002;
    static final int CLOSE_INVALID_PAYLOAD = 1007;
    static final int CLOSE_MESSAGE_TOO_BIG = 1009;
    static final int PROTOCOL_ERROR = 3502;
    static final int INVALID_TOKEN = 3500;

    private static final Pattern ROW = Pattern.compile("^\\| (\\d{3,4}) \\| `([A-Z_]+)` \\| ([^|]+)\\|");

    private final Map<Integer, String> table;
    private final int maxFrameBytes;
    private final Set<String> validTokens;

    private FrameOracle(Map<Integer, String> table, int maxFrameBytes, Set<String> validTokens) {
        this.table = table;
        this.maxFrameBytes = maxFrameBytes;
        this.validTokens = validTokens;
    }

    /** Reads the code table from {@code protocolDoc}. */
    static FrameOracle fromDocs(Path protocolDoc, int maxFrameBytes, Set<String> validTokens) {
        Map<Integer, String> table = new HashMap<>();
        try {
            for (String line : Files.readAllLines(protocolDoc)) {
                Matcher m = ROW.matcher(line);
                if (m.find()) {
                    table.put(Integer.parseInt(m.group(1)), m.group(2) + " (" + m.group(3).strip() + ")");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (table.size() < 20) {
            throw new IllegalStateException("read only " + table.size() + " codes from " + protocolDoc);
        }
        return new FrameOracle(Map.copyOf(table), maxFrameBytes, Set.copyOf(validTokens));
    }

    /** True when the table lists {@code code} as sent in an Error frame. */
    boolean isErrorCode(int code) {
        String row = table.get(code);
        return row != null && row.contains("error");
    }

    /** True when the table lists {@code code} as a close code (4000-4999 are the application's). */
    boolean isCloseCode(int code) {
        String row = table.get(code);
        return row != null && row.contains("close") || code >= 4000 && code <= 4999;
    }

    /** The table's name of {@code code}, for the report. */
    String name(int code) {
        String row = table.get(code);
        return row == null ? "NOT IN THE TABLE" : row.substring(0, row.indexOf(' '));
    }

    /** What {@code sample} earns on a {@code subprotocol} connection. */
    Expectation expect(Sample sample, Subprotocol subprotocol) {
        WsFrame first = sample.frames().get(0);
        for (int i = 0; i < sample.frames().size(); i++) {
            WsFrame f = sample.frames().get(i);
            if (f.opcode() >= 0x3 && f.opcode() <= 0x7 || f.opcode() >= 0xB) {
                return new Ends("reserved opcode");
            }
            boolean orphan = i == 0 && f.opcode() == 0x0 || i > 0 && f.opcode() != 0x0;
            if (orphan || (f.firstByte() & 0x70) != 0 || !f.masked()) {
                return new Closes(Set.of(CLOSE_WS_PROTOCOL_ERROR), "RFC 6455 violation");
            }
            if (f.declaredLength() > maxFrameBytes) {
                return new Closes(Set.of(CLOSE_MESSAGE_TOO_BIG), "frame announced beyond the limit");
            }
        }
        byte[] message = sample.message();
        if (message.length > maxFrameBytes) {
            return new Closes(Set.of(CLOSE_MESSAGE_TOO_BIG), "message beyond the limit");
        }
        ClientFrame frame;
        if (first.opcode() == FrameMutator.TEXT) {
            // The WebSocket layer decodes each fragment of a text message on its own (documented).
            boolean fragmentsDecode = sample.frames().stream().allMatch(f -> utf8(f.payload()) != null);
            String text = utf8(message);
            if (!fragmentsDecode || text == null || text.indexOf('\uFFFD') >= 0) {
                return new Closes(Set.of(CLOSE_INVALID_PAYLOAD), "text is not valid UTF-8");
            }
            if (subprotocol != Subprotocol.JSON) {
                return new Closes(Set.of(PROTOCOL_ERROR), "text frame on the binary subprotocol");
            }
            try {
                frame = io.switchboard.gateway.ws.Subprotocol.JSON.codec().decode(text);
            } catch (ProtocolViolation e) {
                return new Closes(Set.of(PROTOCOL_ERROR), "malformed JSON");
            }
        } else {
            if (subprotocol != Subprotocol.PROTO) {
                return new Closes(Set.of(PROTOCOL_ERROR), "binary frame on the JSON subprotocol");
            }
            try {
                frame = ClientFrame.parseFrom(message);
            } catch (InvalidProtocolBufferException e) {
                return new Closes(Set.of(PROTOCOL_ERROR), "malformed protobuf");
            }
        }
        if (frame.getFrameCase() == ClientFrame.FrameCase.FRAME_NOT_SET) {
            return new Closes(Set.of(PROTOCOL_ERROR), "no frame type");
        }
        if (!sample.afterConnect()) {
            if (!frame.hasConnect()) {
                return new Closes(Set.of(PROTOCOL_ERROR), "first frame is not Connect");
            }
            if (!validTokens.contains(frame.getConnect().getToken())) {
                return new Closes(Set.of(INVALID_TOKEN), "Connect with a bad token");
            }
        }
        return new Request(frame);
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
