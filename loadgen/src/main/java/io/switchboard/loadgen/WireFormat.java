package io.switchboard.loadgen;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * The two subprotocols of the wire protocol (docs/protocol.md), as far as the generator speaks them: it
 * encodes connect, subscribe and publish, and decodes connected, subscribed, message, ack and error. JSON is
 * written and read with Jackson's streaming API (protobuf's canonical JSON mapping: lowerCamelCase names,
 * base64 payloads); binary frames are protobuf. With {@code +batch}, a batch is split into its frames first
 * ({@link #unbatch}). Stateless, thread-safe.
 */
public enum WireFormat {
    JSON("switchboard.v1.json") {
        @Override
        boolean unbatch(WebSocketFrame frame, Consumer<WebSocketFrame> each) {
            ByteBuf content = frame.content();
            if (content.readableBytes() < BATCH_PREFIX.length) {
                return false;
            }
            for (int i = 0; i < BATCH_PREFIX.length; i++) {
                if (content.getByte(content.readerIndex() + i) != BATCH_PREFIX[i]) {
                    return false;
                }
            }
            try {
                JsonNode frames = MAPPER.readTree((java.io.InputStream) new ByteBufInputStream(content.duplicate()))
                        .path("batch").path("frames");
                for (JsonNode inner : frames) {
                    each.accept(new TextWebSocketFrame(Unpooled.wrappedBuffer(MAPPER.writeValueAsBytes(inner))));
                }
            } catch (IOException e) {
                return false; // decode reports it
            }
            return true;
        }

        @Override
        WebSocketFrame connect(String token) {
            return text(g -> {
                g.writeObjectFieldStart("connect");
                g.writeStringField("token", token);
                g.writeStringField("client", "switchboard-loadgen");
                g.writeEndObject();
            });
        }

        @Override
        WebSocketFrame subscribe(int requestId, String room) {
            return text(g -> {
                g.writeObjectFieldStart("subscribe");
                g.writeNumberField("requestId", requestId);
                g.writeStringField("room", room);
                g.writeEndObject();
            });
        }

        @Override
        WebSocketFrame publish(int requestId, String room, String id, byte[] payload) {
            return text(g -> {
                g.writeObjectFieldStart("publish");
                g.writeNumberField("requestId", requestId);
                g.writeStringField("room", room);
                g.writeStringField("id", id);
                g.writeFieldName("payload");
                g.writeBinary(payload);
                g.writeStringField("contentType", "application/octet-stream");
                g.writeBooleanField("ack", true);
                g.writeEndObject();
            });
        }

        @Override
        void decode(WebSocketFrame frame, Inbound into) {
            into.reset();
            try (JsonParser p = FACTORY.createParser((java.io.InputStream) new ByteBufInputStream(frame.content()))) {
                if (p.nextToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME) {
                    return;
                }
                String kind = p.currentName();
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return;
                }
                into.kind = switch (kind) {
                    case "connected" -> Inbound.Kind.CONNECTED;
                    case "subscribed" -> Inbound.Kind.SUBSCRIBED;
                    case "message" -> Inbound.Kind.MESSAGE;
                    case "ack" -> Inbound.Kind.ACK;
                    case "error" -> Inbound.Kind.ERROR;
                    default -> Inbound.Kind.OTHER;
                };
                String code = "";
                String message = "";
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (field) {
                        case "requestId" -> into.requestId = p.getIntValue();
                        case "payload" -> {
                            if (into.kind == Inbound.Kind.MESSAGE) {
                                into.payload = p.getBinaryValue();
                            }
                        }
                        case "code" -> code = p.getText();
                        case "message" -> message = p.getText();
                        default -> {
                            if (value.isStructStart()) {
                                p.skipChildren();
                            }
                        }
                    }
                }
                if (into.kind == Inbound.Kind.ERROR) {
                    into.error = code + ": " + message;
                }
            } catch (IOException e) {
                into.kind = Inbound.Kind.OTHER;
                into.error = "unparsable JSON frame: " + e.getMessage();
            }
        }
    },
    PROTO("switchboard.v1.proto") {
        @Override
        boolean unbatch(WebSocketFrame frame, Consumer<WebSocketFrame> each) {
            ServerFrame f;
            try {
                f = ServerFrame.parseFrom(CodedInputStream.newInstance(frame.content().nioBuffer()));
            } catch (IOException e) {
                return false; // decode reports it
            }
            if (!f.hasBatch()) {
                return false;
            }
            for (ServerFrame inner : f.getBatch().getFramesList()) {
                each.accept(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(inner.toByteArray())));
            }
            return true;
        }

        @Override
        WebSocketFrame connect(String token) {
            return binary(ClientFrame.newBuilder().setConnect(Connect.newBuilder()
                    .setToken(token).setClient("switchboard-loadgen")).build());
        }

        @Override
        WebSocketFrame subscribe(int requestId, String room) {
            return binary(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder()
                    .setRequestId(requestId).setRoom(room)).build());
        }

        @Override
        WebSocketFrame publish(int requestId, String room, String id, byte[] payload) {
            return binary(ClientFrame.newBuilder().setPublish(Publish.newBuilder()
                    .setRequestId(requestId).setRoom(room).setId(id).setPayload(ByteString.copyFrom(payload))
                    .setContentType("application/octet-stream").setAck(true)).build());
        }

        @Override
        void decode(WebSocketFrame frame, Inbound into) {
            into.reset();
            ServerFrame f;
            try {
                f = ServerFrame.parseFrom(CodedInputStream.newInstance(frame.content().nioBuffer()));
            } catch (IOException e) {
                into.error = "unparsable protobuf frame: " + e.getMessage();
                return;
            }
            switch (f.getFrameCase()) {
                case CONNECTED -> into.kind = Inbound.Kind.CONNECTED;
                case SUBSCRIBED -> {
                    into.kind = Inbound.Kind.SUBSCRIBED;
                    into.requestId = f.getSubscribed().getRequestId();
                }
                case MESSAGE -> {
                    into.kind = Inbound.Kind.MESSAGE;
                    into.payload = f.getMessage().getPayload().toByteArray();
                }
                case ACK -> {
                    into.kind = Inbound.Kind.ACK;
                    into.requestId = f.getAck().getRequestId();
                }
                case ERROR -> {
                    into.kind = Inbound.Kind.ERROR;
                    into.requestId = f.getError().getRequestId();
                    into.error = f.getError().getCode() + ": " + f.getError().getMessage();
                }
                default -> into.kind = Inbound.Kind.OTHER;
            }
        }
    };

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] BATCH_PREFIX = "{\"batch\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final String token;

    WireFormat(String token) {
        this.token = token;
    }

    /** The {@code Sec-WebSocket-Protocol} token. */
    public String token() {
        return token;
    }

    abstract WebSocketFrame connect(String token);

    abstract WebSocketFrame subscribe(int requestId, String room);

    /** A publish with {@code ack: true}. */
    abstract WebSocketFrame publish(int requestId, String room, String id, byte[] payload);

    /**
     * With {@code +batch}: when {@code frame} is a batch (docs/protocol.md section 13), hands each frame inside it
     * to {@code each}, in order, and returns true; false for any other frame (decode it as it is).
     */
    abstract boolean unbatch(WebSocketFrame frame, Consumer<WebSocketFrame> each);

    /** Decodes a data frame of this subprotocol into {@code into}. */
    abstract void decode(WebSocketFrame frame, Inbound into);

    private interface JsonBody {
        void write(JsonGenerator g) throws IOException;
    }

    private static WebSocketFrame text(JsonBody body) {
        ByteBuf buf = Unpooled.buffer(128);
        try (JsonGenerator g = FACTORY.createGenerator((java.io.OutputStream) new ByteBufOutputStream(buf))) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TextWebSocketFrame(buf);
    }

    private static WebSocketFrame binary(ClientFrame frame) {
        return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(frame.toByteArray()));
    }
}
