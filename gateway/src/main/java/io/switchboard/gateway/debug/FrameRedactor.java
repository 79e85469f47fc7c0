package io.switchboard.gateway.debug;

import java.util.List;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;

/**
 * Copies a frame for the debug log: every {@code token} field (Connect, Refresh) is always replaced by
 * {@code "<redacted>"}; every {@code payload} bytes field is cleared unless payloads were asked for, and the bytes
 * cleared are counted. Works on any frame by its descriptor, so new frame types are covered. Stateless.
 */
final class FrameRedactor {
    /** A redacted copy and the payload bytes it left out. */
    record Redacted(Message frame, long payloadBytes) {
    }

    static final String TOKEN_REDACTED = "<redacted>";

    private FrameRedactor() {
    }

    static Redacted redact(Message frame, boolean payloads) {
        long[] cleared = {0};
        Message copy = redact(frame, payloads, cleared);
        return new Redacted(copy, cleared[0]);
    }

    private static Message redact(Message m, boolean payloads, long[] cleared) {
        Message.Builder b = m.toBuilder();
        for (var e : m.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            Object value = e.getValue();
            if (f.getJavaType() == FieldDescriptor.JavaType.STRING && f.getName().equals("token") && !f.isRepeated()) {
                b.setField(f, TOKEN_REDACTED);
            } else if (f.getJavaType() == FieldDescriptor.JavaType.BYTE_STRING && f.getName().equals("payload")
                    && !f.isRepeated() && !payloads) {
                cleared[0] += ((ByteString) value).size();
                b.clearField(f);
            } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (f.isRepeated()) {
                    List<?> items = (List<?>) value;
                    for (int i = 0; i < items.size(); i++) {
                        b.setRepeatedField(f, i, redact((Message) items.get(i), payloads, cleared));
                    }
                } else {
                    b.setField(f, redact((Message) value, payloads, cleared));
                }
            }
        }
        return b.build();
    }

    /** The {@code room} of the frame's one message (Subscribe, Publish, Message, Ack, ...), or "" when it has none. */
    static String roomOf(Message frame) {
        for (var e : frame.getAllFields().entrySet()) {
            if (e.getValue() instanceof Message inner) {
                FieldDescriptor room = inner.getDescriptorForType().findFieldByName("room");
                if (room != null && room.getJavaType() == FieldDescriptor.JavaType.STRING && !room.isRepeated()) {
                    return (String) inner.getField(room);
                }
            }
        }
        return "";
    }
}
