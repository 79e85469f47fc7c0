package io.switchboard.gateway.ws;

import java.io.IOException;
import java.io.StringReader;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;

/**
 * Refuses JSON numbers that protobuf's {@code JsonFormat} would take minutes and gigabytes to read. JsonFormat
 * reads a value for an integer field through {@code BigDecimal} and turns it into a {@code BigInteger} before
 * checking its range, so the 27 bytes {@code {"ping":{"nonce":"1e536870000"}}} make it compute 10^536870000 on the
 * connection's thread (found by fuzzing; see protobuf issue 26032). This guard walks the text with the same lenient
 * reader JsonFormat uses, following the frame's schema, and refuses a value for a numeric field (as a number or a
 * string) that is longer than {@value #MAX_LENGTH} characters or has an exponent beyond &plusmn;{@value #MAX_EXPONENT}:
 * no value a numeric field can hold needs more. Text it cannot read is left to JsonFormat, which reports it.
 * Stateless, thread-safe.
 */
final class JsonNumberGuard {
    /** Characters of one numeric value: a uint64 has 20 digits, a double's shortest form about 25. */
    static final int MAX_LENGTH = 100;
    /** Decimal exponent of one numeric value: a double reaches 1e308; integer fields far less. */
    static final int MAX_EXPONENT = 400;

    private JsonNumberGuard() {
    }

    /**
     * Checks every numeric value of {@code text}, read as a message of {@code type}.
     *
     * @throws ProtocolViolation naming the field whose value is too long or whose exponent is too large
     */
    static void check(String text, Descriptor type) throws ProtocolViolation {
        try (JsonReader in = new JsonReader(new StringReader(text))) {
            // JsonFormat parses with Gson's JsonParser, which reads leniently: read the same tokens.
            in.setStrictness(Strictness.LENIENT);
            message(in, type);
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            // Malformed: JsonFormat reads no further than this reader did, and reports the error itself.
        }
    }

    private static void message(JsonReader in, Descriptor type) throws IOException, ProtocolViolation {
        if (in.peek() != JsonToken.BEGIN_OBJECT) {
            in.skipValue();
            return;
        }
        in.beginObject();
        while (in.hasNext()) {
            FieldDescriptor field = field(type, in.nextName());
            if (field == null) {
                in.skipValue(); // JsonFormat refuses unknown fields
            } else if (field.isMapField()) {
                map(in, field);
            } else if (field.isRepeated() && in.peek() == JsonToken.BEGIN_ARRAY) {
                in.beginArray();
                while (in.hasNext()) {
                    value(in, field);
                }
                in.endArray();
            } else {
                value(in, field);
            }
        }
        in.endObject();
    }

    private static void map(JsonReader in, FieldDescriptor field) throws IOException, ProtocolViolation {
        if (in.peek() != JsonToken.BEGIN_OBJECT) {
            in.skipValue();
            return;
        }
        FieldDescriptor key = field.getMessageType().findFieldByName("key");
        FieldDescriptor value = field.getMessageType().findFieldByName("value");
        in.beginObject();
        while (in.hasNext()) {
            String name = in.nextName();
            if (numeric(key)) {
                number(key, name);
            }
            value(in, value);
        }
        in.endObject();
    }

    private static void value(JsonReader in, FieldDescriptor field) throws IOException, ProtocolViolation {
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            Descriptor type = field.getMessageType();
            FieldDescriptor wrapped = type.getFile().getPackage().equals("google.protobuf")
                    ? type.findFieldByName("value") : null;
            if (wrapped != null && wrapped.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                value(in, wrapped); // a wrapper (UInt64Value, ...) is written as its bare value
            } else {
                message(in, type);
            }
        } else if (numeric(field) && (in.peek() == JsonToken.NUMBER || in.peek() == JsonToken.STRING)
                || field.getJavaType() == FieldDescriptor.JavaType.ENUM && in.peek() == JsonToken.NUMBER) {
            number(field, in.nextString());
        } else {
            in.skipValue();
        }
    }

    private static boolean numeric(FieldDescriptor field) {
        return switch (field.getJavaType()) {
            case INT, LONG, FLOAT, DOUBLE -> true;
            default -> false;
        };
    }

    private static void number(FieldDescriptor field, String value) throws ProtocolViolation {
        if (value.length() > MAX_LENGTH || exponentTooLarge(value)) {
            String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
            throw new ProtocolViolation("malformed JSON frame: " + field.getJsonName() + ": '" + shown
                    + "' (expected: a number of at most " + MAX_LENGTH + " characters with an exponent within +-"
                    + MAX_EXPONENT + ")");
        }
    }

    private static boolean exponentTooLarge(String value) {
        int e = Math.max(value.indexOf('e'), value.indexOf('E'));
        if (e < 0) {
            return false;
        }
        int i = e + 1;
        if (i < value.length() && (value.charAt(i) == '+' || value.charAt(i) == '-')) {
            i++;
        }
        long exponent = 0;
        for (; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false; // not a number at all: JsonFormat refuses it cheaply
            }
            exponent = exponent * 10 + (c - '0');
            if (exponent > MAX_EXPONENT) {
                return true;
            }
        }
        return false;
    }

    private static FieldDescriptor field(Descriptor type, String name) {
        FieldDescriptor byName = type.findFieldByName(name);
        if (byName != null) {
            return byName;
        }
        for (FieldDescriptor f : type.getFields()) {
            if (f.getJsonName().equals(name)) {
                return f;
            }
        }
        return null;
    }
}
