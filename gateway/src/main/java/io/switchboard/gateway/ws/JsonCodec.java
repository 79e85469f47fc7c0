package io.switchboard.gateway.ws;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ServerFrame;

/**
 * {@code switchboard.v1.json}: text messages in protobuf's canonical JSON mapping ({@link JsonFormat}). The
 * parser rejects unknown fields, so a misspelled field fails loudly instead of being dropped; the printer omits
 * fields with default values and prints 64-bit integers as strings, as the mapping prescribes. The frames of the hot
 * path are printed by {@link JsonFramePrinter} (the same bytes, without reflection) and Publish and Connect frames
 * read by {@link JsonFastFrameParser} (the same frame for the subset it accepts, JsonFormat for everything else).
 * Before JsonFormat reads a frame, {@link JsonNumberGuard} refuses numbers JsonFormat would take minutes to read.
 */
public final class JsonCodec implements FrameCodec {
    static final JsonCodec INSTANCE = new JsonCodec();

    private static final JsonFormat.Parser PARSER = JsonFormat.parser();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    private JsonCodec() {
    }

    @Override
    public ClientFrame decode(byte[] binary) throws ProtocolViolation {
        throw new ProtocolViolation("binary frame on " + Subprotocol.JSON.token() + " (expected: text)");
    }

    @Override
    public ClientFrame decode(String text) throws ProtocolViolation {
        ClientFrame fast = JsonFastFrameParser.parse(text);
        if (fast != null) {
            return fast;
        }
        JsonNumberGuard.check(text, ClientFrame.getDescriptor());
        ClientFrame.Builder b = ClientFrame.newBuilder();
        try {
            PARSER.merge(text, b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            // JsonFormat reports most syntax errors as InvalidProtocolBufferException, some as runtime exceptions.
            throw new ProtocolViolation("malformed JSON frame: " + e.getMessage(), e);
        }
        return b.build();
    }

    @Override
    public OutboundFrame encode(ServerFrame frame) {
        String fast = JsonFramePrinter.print(frame);
        if (fast != null) {
            return OutboundFrame.text(fast, FrameCodec.typeOf(frame));
        }
        try {
            return OutboundFrame.text(PRINTER.print(frame), FrameCodec.typeOf(frame));
        } catch (InvalidProtocolBufferException e) {
            // Only Any fields with unknown types fail to print; ServerFrame has none.
            throw new IllegalStateException("cannot print " + frame.getFrameCase(), e);
        }
    }
}
