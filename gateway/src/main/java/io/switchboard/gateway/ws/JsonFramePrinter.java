package io.switchboard.gateway.ws;

import java.time.LocalDate;
import java.util.Base64;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.Connected;
import io.switchboard.proto.client.v1.Limits;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.Pong;
import io.switchboard.proto.client.v1.ServerFrame;

/**
 * Prints the server frames of the hot path (Message, once per room message and gateway; Ack, once per publish;
 * Connected and Pong, the two frames with a timestamp a connection's own thread prints) in protobuf's canonical JSON
 * without reflection, byte for byte what {@code JsonFormat.printer().omittingInsignificantWhitespace()} prints:
 * fields in declaration order, defaults omitted, 64-bit integers as strings, bytes in padded base64, timestamps in
 * RFC 3339 with 0, 3, 6 or 9 fractional digits, strings escaped as Gson escapes them (HTML-safe). {@code JsonFormat}
 * spent most of the fan-out thread's encoding time in descriptor lookups, a Gson writer per string and a
 * {@code SimpleDateFormat} per thread (which every connection thread kept). Any other frame, or a value
 * {@code JsonFormat} would refuse (a timestamp out of range), returns null: the caller prints it with
 * {@code JsonFormat}. Stateless, thread-safe.
 */
final class JsonFramePrinter {
    private static final long MIN_SECONDS = -62_135_596_800L; // 0001-01-01T00:00:00Z
    private static final long MAX_SECONDS = 253_402_300_799L; // 9999-12-31T23:59:59Z
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonFramePrinter() {
    }

    /** {@code frame} as JSON text, or null when this printer does not handle it. */
    static String print(ServerFrame frame) {
        return switch (frame.getFrameCase()) {
            case MESSAGE -> message(frame.getMessage());
            case ACK -> ack(frame.getAck());
            case CONNECTED -> connected(frame.getConnected());
            case PONG -> pong(frame.getPong());
            default -> null;
        };
    }

    private static String message(Message m) {
        if (m.hasTimestamp() && !inRange(m.getTimestamp())) {
            return null;
        }
        Json json = new Json(128 + m.getPayload().size() * 4 / 3).open("message");
        json.string("room", m.getRoom());
        json.uint64("position", m.getPosition());
        json.string("id", m.getId());
        json.string("sender", m.getSender());
        json.bytes("payload", m.getPayload());
        json.string("contentType", m.getContentType());
        if (m.hasTimestamp()) {
            json.timestamp("timestamp", m.getTimestamp());
        }
        json.string("epoch", m.getEpoch());
        json.string("conflationKey", m.getConflationKey());
        return json.close();
    }

    private static String ack(Ack a) {
        Json json = new Json(128).open("ack");
        json.uint32("requestId", a.getRequestId());
        json.string("room", a.getRoom());
        json.string("id", a.getId());
        json.uint64("position", a.getPosition());
        json.string("epoch", a.getEpoch());
        json.bool("duplicate", a.getDuplicate());
        json.uint32("devices", a.getDevices());
        return json.close();
    }

    private static String connected(Connected c) {
        if (c.hasServerTime() && !inRange(c.getServerTime())) {
            return null;
        }
        Json json = new Json(256).open("connected");
        json.string("sessionId", c.getSessionId());
        json.string("userId", c.getUserId());
        if (c.hasServerTime()) {
            json.timestamp("serverTime", c.getServerTime());
        }
        if (c.hasLimits()) {
            Limits l = c.getLimits();
            json.name("limits").beginObject();
            json.uint32("maxFrameBytes", l.getMaxFrameBytes());
            json.uint32("maxPayloadBytes", l.getMaxPayloadBytes());
            json.uint32("maxSubscriptions", l.getMaxSubscriptions());
            json.uint64("maxOutboundQueueBytes", l.getMaxOutboundQueueBytes());
            json.uint32("maxRoomLength", l.getMaxRoomLength());
            json.uint32("maxIdLength", l.getMaxIdLength());
            json.endObject();
        }
        json.string("gatewayId", c.getGatewayId());
        json.string("inbox", c.getInbox());
        json.string("inboxEpoch", c.getInboxEpoch());
        return json.close();
    }

    private static String pong(Pong p) {
        if (p.hasServerTime() && !inRange(p.getServerTime())) {
            return null;
        }
        Json json = new Json(96).open("pong");
        json.uint64("nonce", p.getNonce());
        if (p.hasServerTime()) {
            json.timestamp("serverTime", p.getServerTime());
        }
        return json.close();
    }

    private static boolean inRange(Timestamp t) {
        return t.getSeconds() >= MIN_SECONDS && t.getSeconds() <= MAX_SECONDS
                && t.getNanos() >= 0 && t.getNanos() <= 999_999_999;
    }

    /** One JSON object being printed: {@code {"<frame>":{...}}}, commas placed as fields are added. */
    private static final class Json {
        private final StringBuilder out;
        private boolean first = true;

        Json(int capacity) {
            out = new StringBuilder(capacity);
        }

        Json open(String frame) {
            out.append("{\"").append(frame).append("\":{");
            return this;
        }

        String close() {
            return out.append("}}").toString();
        }

        Json name(String name) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append('"').append(name).append("\":");
            return this;
        }

        void beginObject() {
            out.append('{');
            first = true;
        }

        void endObject() {
            out.append('}');
            first = false;
        }

        void string(String name, String value) {
            if (!value.isEmpty()) {
                name(name);
                escaped(value);
            }
        }

        void uint32(String name, int value) {
            if (value != 0) {
                name(name).out.append(Integer.toUnsignedString(value));
            }
        }

        void uint64(String name, long value) {
            if (value != 0) {
                name(name).out.append('"').append(Long.toUnsignedString(value)).append('"');
            }
        }

        void bool(String name, boolean value) {
            if (value) {
                name(name).out.append("true");
            }
        }

        void bytes(String name, ByteString value) {
            if (!value.isEmpty()) {
                name(name).out.append('"').append(Base64.getEncoder().encodeToString(value.toByteArray())).append('"');
            }
        }

        /** RFC 3339 in UTC, as protobuf's {@code Timestamps.toString}; the caller checked the range. */
        void timestamp(String name, Timestamp t) {
            name(name).out.append('"');
            long seconds = t.getSeconds();
            LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400));
            int secondOfDay = Math.floorMod(seconds, 86_400);
            digits(date.getYear(), 4).append('-');
            digits(date.getMonthValue(), 2).append('-');
            digits(date.getDayOfMonth(), 2).append('T');
            digits(secondOfDay / 3600, 2).append(':');
            digits(secondOfDay / 60 % 60, 2).append(':');
            digits(secondOfDay % 60, 2);
            int nanos = t.getNanos();
            if (nanos != 0) {
                out.append('.');
                if (nanos % 1_000_000 == 0) {
                    digits(nanos / 1_000_000, 3);
                } else if (nanos % 1_000 == 0) {
                    digits(nanos / 1_000, 6);
                } else {
                    digits(nanos, 9);
                }
            }
            out.append("Z\"");
        }

        private StringBuilder digits(int value, int width) {
            String s = Integer.toString(value);
            for (int i = s.length(); i < width; i++) {
                out.append('0');
            }
            return out.append(s);
        }

        /** A JSON string escaped as Gson's HTML-safe writer escapes it (what JsonFormat uses). */
        private void escaped(String s) {
            out.append('"');
            int n = s.length();
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\f' -> out.append("\\f");
                    case '<', '>', '&', '=', '\'', '\u2028', '\u2029' -> unicodeEscape(c);
                    default -> {
                        if (c < 0x20) {
                            unicodeEscape(c);
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }

        private void unicodeEscape(char c) {
            out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf])
                    .append(HEX[c & 0xf]);
        }
    }
}
