package io.switchboard.bench.baseline;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connected;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.Pong;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.proto.client.v1.Unsubscribed;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The part of the wire protocol the baselines speak, whatever carries it: the two subprotocols, parsing a client
 * frame from either, the server frames they answer with, and protobuf's canonical JSON mapping (the gateway's).
 * Stateless and thread-safe.
 */
public final class BaselineFrames {
    /** The binary subprotocol. */
    public static final String SUBPROTOCOL = "switchboard.v1.proto";
    /** The JSON subprotocol. */
    public static final String JSON_SUBPROTOCOL = "switchboard.v1.json";
    /** The close code for a frame the protocol does not allow here (protocol.md's PROTOCOL_ERROR). */
    public static final int PROTOCOL_ERROR = 3502;
    /** What the baselines call themselves in Connected, Subscribed, Message and Ack. */
    static final String NAME = "baseline";

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private BaselineFrames() {
    }

    /**
     * The client's first offer that the baselines speak, from its {@code Sec-WebSocket-Protocol} header values
     * (each possibly a comma-separated list), or null when it offers neither.
     */
    public static String chooseSubprotocol(List<String> headerValues) {
        return headerValues.stream()
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim)
                .filter(v -> v.equals(SUBPROTOCOL) || v.equals(JSON_SUBPROTOCOL))
                .findFirst().orElse(null);
    }

    /** A client frame of the binary subprotocol. */
    public static ClientFrame parseBinary(ByteBuffer bytes) throws InvalidProtocolBufferException {
        return ClientFrame.parseFrom(bytes);
    }

    /** A client frame of the JSON subprotocol. */
    public static ClientFrame parseJson(String text) throws InvalidProtocolBufferException {
        ClientFrame.Builder frame = ClientFrame.newBuilder();
        try {
            PARSER.merge(text, frame);
        } catch (RuntimeException e) {
            // The parser throws unchecked exceptions for some malformed JSON: all of it is a malformed frame.
            throw new InvalidProtocolBufferException("malformed JSON frame: " + e.getMessage());
        }
        return frame.build();
    }

    /** {@code frame} in the JSON subprotocol. */
    public static String json(ServerFrame frame) {
        try {
            return PRINTER.print(frame);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + frame.getFrameCase(), e);
        }
    }

    static ServerFrame connected(String sessionId) {
        return ServerFrame.newBuilder().setConnected(Connected.newBuilder()
                .setSessionId(sessionId).setGatewayId(NAME).setServerTime(now())).build();
    }

    static ServerFrame subscribed(int requestId, String room) {
        return ServerFrame.newBuilder().setSubscribed(Subscribed.newBuilder()
                .setRequestId(requestId).setRoom(room).setEpoch(NAME)).build();
    }

    static ServerFrame unsubscribed(int requestId, String room) {
        return ServerFrame.newBuilder().setUnsubscribed(Unsubscribed.newBuilder()
                .setRequestId(requestId).setRoom(room)).build();
    }

    static ServerFrame pong(long nonce) {
        return ServerFrame.newBuilder().setPong(Pong.newBuilder().setNonce(nonce).setServerTime(now())).build();
    }

    static ServerFrame message(Publish publish, long position, String sender) {
        return ServerFrame.newBuilder().setMessage(Message.newBuilder()
                .setRoom(publish.getRoom()).setPosition(position).setId(publish.getId()).setSender(sender)
                .setPayload(publish.getPayload()).setContentType(publish.getContentType())
                .setTimestamp(now()).setEpoch(NAME)).build();
    }

    static ServerFrame ack(Publish publish, long position) {
        return ServerFrame.newBuilder().setAck(Ack.newBuilder()
                .setRequestId(publish.getRequestId()).setRoom(publish.getRoom()).setId(publish.getId())
                .setPosition(position).setEpoch(NAME)).build();
    }

    private static Timestamp now() {
        Instant now = Instant.now();
        return Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
    }
}
