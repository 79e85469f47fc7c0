package io.switchboard.gateway.ws;

import java.io.IOException;
import java.io.StringReader;
import java.util.Base64;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.protobuf.ByteString;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.Publish;

/**
 * Reads the frames whose cost counts, {@code {"publish":{...}}} (the frame clients send most) and
 * {@code {"connect":{...}}} (once per connection, but every connection at once after a gateway restarts), with a
 * streaming reader instead of protobuf's {@code JsonFormat} (which builds a JSON tree and walks it by descriptor: a
 * fifth of a connection thread's time per publish, a quarter of a connect's frame handling). It only accepts a
 * strict subset of what {@code JsonFormat} accepts, and returns the same frame for it: strict JSON, each field at
 * most once by its JSON name with a value of its own JSON type (Publish: {@code requestId} an integral number within
 * uint32, {@code ack} a boolean, {@code payload} padded standard base64, the rest strings; Connect: {@code token}
 * and {@code client}, strings). Anything else (another frame, a proto field name, a number in a string, null, a
 * duplicate or unknown field, bad base64) returns null, and the caller parses the text with {@code JsonFormat},
 * which accepts it or reports the error as before. Stateless, thread-safe.
 */
final class JsonFastFrameParser {
    private static final long MAX_UINT32 = 0xFFFF_FFFFL;

    private JsonFastFrameParser() {
    }

    /** The Publish or Connect frame {@code text} holds, or null when this parser leaves it to {@code JsonFormat}. */
    static ClientFrame parse(String text) {
        if (!text.startsWith("{\"publish\":") && !text.startsWith("{\"connect\":")) {
            return null;
        }
        try (JsonReader in = new JsonReader(new StringReader(text))) {
            in.setStrictness(Strictness.STRICT);
            in.beginObject();
            String kind = in.nextName();
            if (in.peek() != JsonToken.BEGIN_OBJECT) {
                return null;
            }
            ClientFrame.Builder frame = ClientFrame.newBuilder();
            switch (kind) {
                case "publish" -> {
                    Publish publish = publish(in);
                    if (publish == null) {
                        return null;
                    }
                    frame.setPublish(publish);
                }
                case "connect" -> {
                    Connect connect = connect(in);
                    if (connect == null) {
                        return null;
                    }
                    frame.setConnect(connect);
                }
                default -> {
                    return null;
                }
            }
            if (in.peek() != JsonToken.END_OBJECT) {
                return null;
            }
            in.endObject();
            if (in.peek() != JsonToken.END_DOCUMENT) {
                return null;
            }
            return frame.build();
        } catch (IOException | IllegalStateException | IllegalArgumentException e) {
            return null; // malformed or unexpected: JsonFormat decides and reports
        }
    }

    private static Connect connect(JsonReader in) throws IOException {
        Connect.Builder c = Connect.newBuilder();
        boolean token = false;
        boolean client = false;
        in.beginObject();
        while (in.hasNext()) {
            String name = in.nextName();
            boolean isToken = name.equals("token");
            if (!(isToken || name.equals("client")) || (isToken ? token : client) || in.peek() != JsonToken.STRING) {
                return null;
            }
            if (isToken) {
                token = true;
                c.setToken(in.nextString());
            } else {
                client = true;
                c.setClient(in.nextString());
            }
        }
        in.endObject();
        return c.build();
    }

    private static Publish publish(JsonReader in) throws IOException {
        Publish.Builder p = Publish.newBuilder();
        int seen = 0;
        in.beginObject();
        while (in.hasNext()) {
            String name = in.nextName();
            int bit = switch (name) {
                case "requestId" -> 1;
                case "room" -> 2;
                case "id" -> 4;
                case "payload" -> 8;
                case "contentType" -> 16;
                case "ack" -> 32;
                case "traceparent" -> 64;
                case "conflationKey" -> 128;
                default -> 0;
            };
            if (bit == 0 || (seen & bit) != 0) {
                return null;
            }
            seen |= bit;
            JsonToken value = in.peek();
            switch (name) {
                case "requestId" -> {
                    if (value != JsonToken.NUMBER) {
                        return null;
                    }
                    long id = in.nextLong();
                    if (id < 0 || id > MAX_UINT32) {
                        return null;
                    }
                    p.setRequestId((int) id);
                }
                case "ack" -> {
                    if (value != JsonToken.BOOLEAN) {
                        return null;
                    }
                    p.setAck(in.nextBoolean());
                }
                default -> {
                    if (value != JsonToken.STRING) {
                        return null;
                    }
                    String s = in.nextString();
                    switch (name) {
                        case "room" -> p.setRoom(s);
                        case "id" -> p.setId(s);
                        case "contentType" -> p.setContentType(s);
                        case "traceparent" -> p.setTraceparent(s);
                        case "conflationKey" -> p.setConflationKey(s);
                        default -> {
                            if (s.length() % 4 != 0) {
                                return null;
                            }
                            p.setPayload(ByteString.copyFrom(Base64.getDecoder().decode(s)));
                        }
                    }
                }
            }
        }
        in.endObject();
        return p.build();
    }
}
