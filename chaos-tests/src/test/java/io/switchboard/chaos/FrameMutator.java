package io.switchboard.chaos;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.DirectMessage;
import io.switchboard.proto.client.v1.Ephemeral;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.Ping;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.RefreshToken;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.SetStatus;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Unsubscribe;
import io.switchboard.testkit.Subprotocol;

/**
 * Makes the network fuzz test's frames from valid ones, reproducibly from one seed. Two families:
 * <ul>
 *   <li>{@link #request}: structure-aware mutations that keep a well-formed frame of a known type (hostile room
 *   names, ids, payload sizes, enum numbers no version defines, unknown fields, nested groups, huge positions and
 *   limits, bad tokens), each carrying the request id or nonce the caller correlates its answer with;</li>
 *   <li>{@link #hostile}: bytes that may not be a frame at all (random bytes, truncations, bit flips, huge declared
 *   lengths, deep nesting, character edits of JSON, invalid UTF-8, the wrong frame kind, reserved opcodes,
 *   over-limit sizes, frames before Connect), sent on a fresh connection because most of them end it.</li>
 * </ul>
 * Not thread-safe: one per sending thread.
 */
final class FrameMutator {
    /** Rooms a fuzzing connection may subscribe to (and so receive messages of: none is published to). */
    static final String SUBSCRIBE_ROOMS = "fuzz-s:";
    /** Rooms a fuzzing connection publishes to (nobody subscribes to them: no fan-out to the fuzzers). */
    static final String PUBLISH_ROOMS = "fuzz-p:";

    /** WebSocket opcodes. */
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;

    private static final List<String> HOSTILE_STRINGS = List.of("", " ", "a b", "-lead", ".", "x".repeat(129),
            "x".repeat(5000), "caf\u00e9", "\uD83D\uDE00", "nul\u0000byte", "new\nline", "tab\tbed", "quote\"d",
            "back\\slash", "\u202Eevil", "\uFFFF", "../../etc/passwd", "%00", "${jndi:ldap://x}", "<script>",
            "chat:43", "lobby", "*", "fuzz-s:*", "1e536870000");

    /**
     * One WebSocket frame as it goes on the wire, every header field chosen.
     *
     * @param firstByte      FIN, RSV1-3 and the opcode
     * @param masked         whether the client masks it (RFC 6455 requires it)
     * @param declaredLength the length in the header; when it differs from the payload's, only the header and the
     *                       payload given are written (a frame announced beyond the limit is refused by its header)
     */
    record WsFrame(int firstByte, boolean masked, long declaredLength, byte[] payload) {
        static WsFrame of(int opcode, byte[] payload) {
            return new WsFrame(0x80 | opcode, true, payload.length, payload);
        }

        int opcode() {
            return firstByte & 0x0F;
        }
    }

    /**
     * What to send as one test case: its kind (for the report), its frames (usually one; fragments of one message
     * otherwise), and whether it goes after a Connect.
     */
    record Sample(String kind, List<WsFrame> frames, boolean afterConnect) {
        Sample(String kind, int opcode, byte[] payload, boolean afterConnect) {
            this(kind, List.of(WsFrame.of(opcode, payload)), afterConnect);
        }

        /** The message the frames carry, reassembled. */
        byte[] message() {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            frames.forEach(f -> all.writeBytes(f.payload()));
            return all.toByteArray();
        }
    }

    private final Random random;
    private final String validToken;
    private final String otherUsersToken;

    FrameMutator(long seed, String validToken, String otherUsersToken) {
        this.random = new Random(seed);
        this.validToken = validToken;
        this.otherUsersToken = otherUsersToken;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Requests: well-formed frames with hostile values
    // ---------------------------------------------------------------------------------------------------------

    /**
     * A well-formed frame of a random type with mutated values, answered by the gateway with the reply or Error
     * carrying {@code requestId} (a Ping's nonce; a Connect, which has neither, is answered ALREADY_CONNECTED).
     */
    ClientFrame request(int requestId) {
        ClientFrame.Builder f = ClientFrame.newBuilder();
        switch (random.nextInt(12)) {
            case 0 -> f.setSubscribe(Subscribe.newBuilder().setRequestId(requestId).setRoom(room(SUBSCRIBE_ROOMS))
                    .setPresence(random.nextBoolean()).build());
            case 1 -> f.setSubscribe(Subscribe.newBuilder().setRequestId(requestId).setRoom(room(SUBSCRIBE_ROOMS))
                    .setResumeFrom(resumeFrom()).build());
            case 2 -> f.setUnsubscribe(Unsubscribe.newBuilder().setRequestId(requestId).setRoom(room(SUBSCRIBE_ROOMS)));
            case 3, 4 -> f.setPublish(Publish.newBuilder().setRequestId(requestId).setRoom(room(PUBLISH_ROOMS))
                    .setId(id()).setPayload(payload(70_000)).setContentType(shortText()).setAck(true));
            case 5 -> f.setHistory(HistoryRequest.newBuilder().setRequestId(requestId).setRoom(room(PUBLISH_ROOMS))
                    .setDirectionValue(enumNumber(3)).setPosition(bigNumber()).setEpoch(pick(HOSTILE_STRINGS))
                    .setLimit((int) bigNumber()));
            case 6 -> f.setEphemeral(Ephemeral.newBuilder().setRequestId(requestId).setRoom(room(SUBSCRIBE_ROOMS))
                    .setKind(random.nextBoolean() ? "typing" : pick(HOSTILE_STRINGS)).setPayload(payload(2048))
                    .setContentType(shortText()).setStop(random.nextBoolean()));
            case 7 -> f.setSetStatus(SetStatus.newBuilder().setRequestId(requestId).setStatusValue(enumNumber(4))
                    .setText(random.nextBoolean() ? "lunch" : pick(HOSTILE_STRINGS)));
            case 8 -> f.setPresence(PresenceQuery.newBuilder().setRequestId(requestId).setRoom(room(SUBSCRIBE_ROOMS))
                    .setAfterUser(pick(HOSTILE_STRINGS)).setLimit((int) bigNumber()));
            case 9 -> f.setDirect(DirectMessage.newBuilder().setRequestId(requestId)
                    .setUserId(random.nextBoolean() ? "nobody-online" : pick(HOSTILE_STRINGS)).setId(id())
                    .setPayload(payload(70_000)).setContentType(shortText()));
            case 10 -> f.setRefresh(RefreshToken.newBuilder().setRequestId(requestId).setToken(token()));
            default -> {
                if (random.nextInt(8) == 0) {
                    f.setConnect(Connect.newBuilder().setToken(token()).setClient(shortText()));
                } else {
                    f.setPing(Ping.newBuilder().setNonce(requestId));
                }
            }
        }
        return f.build();
    }

    /**
     * {@code frame} as {@code subprotocol} sends it; binary frames sometimes carry unknown fields, which the
     * gateway must ignore (nested unknown groups too, up to protobuf's recursion limit).
     */
    Sample encode(ClientFrame frame, Subprotocol subprotocol) {
        String kind = "request " + frame.getFrameCase().name().toLowerCase(java.util.Locale.ROOT);
        if (subprotocol == Subprotocol.JSON) {
            return new Sample(kind + " json", TEXT, json(frame), true);
        }
        byte[] bytes = frame.toByteArray();
        if (random.nextInt(4) == 0) {
            return new Sample(kind + " proto+unknown", BINARY, concat(bytes, unknownFields(random.nextInt(60))), true);
        }
        return new Sample(kind + " proto", BINARY, bytes, true);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Hostile frames: anything, for a fresh connection
    // ---------------------------------------------------------------------------------------------------------

    /** A frame that may end its connection, for {@code subprotocol}. */
    Sample hostile(Subprotocol subprotocol, int maxFrameBytes) {
        ClientFrame valid = request(1 + random.nextInt(1000));
        byte[] proto = valid.toByteArray();
        byte[] json = json(valid);
        boolean binary = subprotocol == Subprotocol.PROTO;
        byte[] own = binary ? proto : json;
        int opcode = binary ? BINARY : TEXT;
        return switch (random.nextInt(20)) {
            case 0 -> new Sample("random bytes", opcode, randomBytes(random.nextInt(64)), true);
            case 1 -> new Sample("truncated", opcode, Arrays.copyOf(own, random.nextInt(Math.max(1, own.length))), true);
            case 2 -> new Sample("byte flips", opcode, flip(own), true);
            case 3 -> binary ? new Sample("huge declared length", opcode, hugeDeclaredLength(), true)
                    : new Sample("huge number", opcode, hugeNumber(), true);
            case 4 -> new Sample("deep nesting", opcode, binary ? nestedGroups(20_000) : nestedJson(20_000), true);
            case 5 -> binary ? new Sample("unknown frame type", opcode, unknownFields(1), true)
                    : new Sample("unknown JSON field", opcode, unknownJsonField(), true);
            case 6 -> binary ? new Sample("random bytes", opcode, randomBytes(random.nextInt(512)), true)
                    : new Sample("character edits", opcode, editCharacters(json), true);
            case 7 -> binary ? new Sample("text frame", TEXT, json, true) : new Sample("binary frame", BINARY, proto, true);
            case 8 -> new Sample("invalid UTF-8 text", TEXT, concat(json, new byte[] {(byte) 0xC3, 0x28}), true);
            case 9 -> new Sample("U+FFFD in text", TEXT, "{\"ping\":{\"nonce\":\"1\uFFFD\"}}".getBytes(StandardCharsets.UTF_8), true);
            case 10 -> new Sample("before connect", opcode, own, false);
            case 11 -> new Sample("connect with a bad token", opcode, encodeConnect(binary, token()), false);
            case 12 -> new Sample("reserved opcode", List.of(WsFrame.of(0x3 + random.nextInt(5), own)), true);
            case 13 -> new Sample("announced beyond the frame limit", List.of(new WsFrame(0x80 | opcode, true,
                    random.nextBoolean() ? maxFrameBytes + 1 + random.nextInt(1000) : 1L << 62, new byte[0])), true);
            case 14 -> new Sample("fragments beyond the frame limit", List.of(
                    new WsFrame(opcode, true, maxFrameBytes / 2 + 1, randomPrintable(maxFrameBytes / 2 + 1)),
                    new WsFrame(0x80, true, maxFrameBytes / 2 + 1, randomPrintable(maxFrameBytes / 2 + 1))), true);
            case 15 -> new Sample("fragmented frame", fragments(opcode, own), true);
            case 16 -> new Sample("empty frame", opcode, new byte[0], true);
            case 17 -> new Sample("unmasked frame", List.of(new WsFrame(0x80 | opcode, false, own.length, own)), true);
            case 18 -> new Sample("reserved bits", List.of(new WsFrame(0x80 | 0x40 | opcode, true, own.length, own)), true);
            default -> binary ? new Sample("length-prefix lies", opcode, lengthLies(proto), true)
                    : new Sample("character edits", opcode, editCharacters(json), true);
        };
    }

    /** {@code message} split into two or three fragments, as RFC 6455 allows. */
    private List<WsFrame> fragments(int opcode, byte[] message) {
        int cut = random.nextInt(message.length + 1);
        return List.of(new WsFrame(opcode, true, cut, Arrays.copyOfRange(message, 0, cut)),
                new WsFrame(0x80, true, message.length - cut, Arrays.copyOfRange(message, cut, message.length)));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Values
    // ---------------------------------------------------------------------------------------------------------

    private String room(String allowedPrefix) {
        return switch (random.nextInt(4)) {
            case 0, 1 -> allowedPrefix + random.nextInt(8);
            default -> pick(HOSTILE_STRINGS);
        };
    }

    private String id() {
        return switch (random.nextInt(4)) {
            case 0 -> "";
            case 1 -> pick(HOSTILE_STRINGS);
            default -> "f-" + Long.toHexString(random.nextLong());
        };
    }

    private ByteString payload(int max) {
        int size = switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> max;
            case 2 -> 65_537;
            default -> random.nextInt(200);
        };
        return ByteString.copyFrom(randomBytes(size));
    }

    private String shortText() {
        return random.nextInt(3) == 0 ? pick(HOSTILE_STRINGS) : "text/plain";
    }

    private String token() {
        return switch (random.nextInt(4)) {
            case 0 -> validToken;
            case 1 -> otherUsersToken;
            case 2 -> validToken.substring(0, validToken.length() - 3) + "AAA";
            default -> pick(HOSTILE_STRINGS);
        };
    }

    private ResumeFrom resumeFrom() {
        ResumeFrom.Builder r = ResumeFrom.newBuilder().setEpoch(pick(HOSTILE_STRINGS));
        return random.nextBoolean() ? r.setPosition(bigNumber()).build() : r.setNextPosition(bigNumber()).build();
    }

    private long bigNumber() {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> -1; // 2^64 - 1 as uint64, 2^32 - 1 as uint32
            case 2 -> Long.MAX_VALUE;
            default -> random.nextInt(1000);
        };
    }

    /** An enum's number: one it defines (0 to {@code defined - 1}) or one no version defines. */
    private int enumNumber(int defined) {
        return random.nextInt(3) == 0 ? pick(List.of(-1, defined, 99, Integer.MAX_VALUE)) : random.nextInt(defined);
    }

    private byte[] json(ClientFrame frame) {
        try {
            return JsonFormat.printer().omittingInsignificantWhitespace().print(frame).getBytes(StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] encodeConnect(boolean binary, String token) {
        ClientFrame connect = ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(token)).build();
        return binary ? connect.toByteArray() : json(connect);
    }

    /** Fields numbered beyond any frame type (varints, strings and nested groups), or exactly one unknown type. */
    private byte[] unknownFields(int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        try {
            if (count == 1) {
                coded.writeUInt64(12 + random.nextInt(100), random.nextLong());
            }
            for (int i = 1; i < count; i++) {
                int field = 1000 + random.nextInt(100_000);
                switch (random.nextInt(3)) {
                    case 0 -> coded.writeUInt64(field, random.nextLong());
                    case 1 -> coded.writeByteArray(field, randomBytes(random.nextInt(32)));
                    default -> coded.writeRawBytes(nestedGroups(1 + random.nextInt(50)));
                }
            }
            coded.flush();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** {@code depth} nested unknown groups (start-group tags, then as many end-group tags). */
    private static byte[] nestedGroups(int depth) {
        int field = 2000;
        byte[] start = tag(field, 3);
        byte[] end = tag(field, 4);
        ByteArrayOutputStream out = new ByteArrayOutputStream(depth * (start.length + end.length));
        for (int i = 0; i < depth; i++) {
            out.writeBytes(start);
        }
        for (int i = 0; i < depth; i++) {
            out.writeBytes(end);
        }
        return out.toByteArray();
    }

    private static byte[] tag(int field, int wireType) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long v = ((long) field << 3) | wireType;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    /** A Publish whose payload field claims far more bytes than follow (2^31 - 1 or 2^63). */
    private byte[] hugeDeclaredLength() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(tag(4, 2)); // ClientFrame.publish, length-delimited
        out.writeBytes(random.nextBoolean() ? new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07}
                : new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
                (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01});
        out.writeBytes(randomBytes(16));
        return out.toByteArray();
    }

    /** A valid frame whose first length prefix is changed to a wrong value. */
    private byte[] lengthLies(byte[] proto) {
        byte[] copy = proto.clone();
        if (copy.length > 1) {
            copy[1] = (byte) random.nextInt(256);
        }
        return copy;
    }

    private byte[] hugeNumber() {
        String value = pick(List.of("1e536870000", "-1e536870000", "9e999999999", "1" + "0".repeat(2000)));
        String frame = switch (random.nextInt(4)) {
            case 0 -> "{\"ping\":{\"nonce\":\"" + value + "\"}}";
            case 1 -> "{\"publish\":{\"requestId\":" + value + ",\"room\":\"fuzz-p:1\"}}";
            case 2 -> "{\"history\":{\"requestId\":1,\"room\":\"fuzz-p:1\",\"limit\":\"" + value + "\"}}";
            default -> "{\"subscribe\":{\"requestId\":1,\"room\":\"fuzz-s:1\",\"resumeFrom\":{\"position\":" + value + "}}}";
        };
        return frame.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] nestedJson(int depth) {
        String open = random.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        return ("{\"publish\":{\"room\":" + open.repeat(depth) + "1" + close.repeat(depth) + "}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private byte[] unknownJsonField() {
        return pick(List.<IntFunction<String>>of(
                n -> "{\"subscribe\":{\"requestId\":" + n + ",\"room\":\"fuzz-s:1\",\"colour\":\"red\"}}",
                n -> "{\"teleport\":{\"requestId\":" + n + "}}",
                n -> "{}",
                n -> "{\"ping\":{},\"publish\":{}}")).apply(1 + random.nextInt(100)).getBytes(StandardCharsets.UTF_8);
    }

    /** Inserts, deletes or replaces a few characters of a JSON frame, staying within valid UTF-8. */
    private byte[] editCharacters(byte[] json) {
        StringBuilder s = new StringBuilder(new String(json, StandardCharsets.UTF_8));
        String alphabet = "{}[]\":,0123456789eE.-+ \\tnulrfasb";
        for (int edits = 1 + random.nextInt(3); edits > 0 && !s.isEmpty(); edits--) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(3)) {
                case 0 -> s.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                case 1 -> s.deleteCharAt(at);
                default -> s.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
            }
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] flip(byte[] bytes) {
        byte[] copy = bytes.clone();
        for (int flips = 1 + random.nextInt(4); flips > 0 && copy.length > 0; flips--) {
            copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return copy;
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private byte[] randomPrintable(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + random.nextInt(26));
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
