package io.switchboard.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.RawWebSocket;
import io.switchboard.testkit.Subprotocol;

/** Well-formed frames in and out of a {@link RawWebSocket}, in either subprotocol. Stateless, thread-safe. */
final class FuzzWire {
    private static final JsonFormat.Parser JSON = JsonFormat.parser().ignoringUnknownFields();

    private FuzzWire() {
    }

    /** Sends {@code frame} as {@code subprotocol} encodes it. */
    static void send(RawWebSocket ws, Subprotocol subprotocol, ClientFrame frame) throws IOException {
        if (subprotocol == Subprotocol.JSON) {
            ws.sendFrame(FrameMutator.TEXT, JsonFormat.printer().print(frame).getBytes(StandardCharsets.UTF_8));
        } else {
            ws.sendFrame(FrameMutator.BINARY, frame.toByteArray());
        }
    }

    /**
     * The ServerFrame the next frame carries, for a read that expects one (the reply to Connect): a close frame
     * instead fails with its code and reason, rather than being parsed as a ServerFrame.
     */
    static ServerFrame expectFrame(RawWebSocket ws, String what) throws IOException {
        RawWebSocket.Frame frame = ws.readFrame();
        if (!carriesFrame(frame)) {
            throw new AssertionError(what + ": got a frame of opcode " + frame.opcode()
                    + (frame.opcode() == RawWebSocket.CLOSE ? " (close " + frame.closeCode() + " "
                    + new String(frame.payload(), 2, Math.max(0, frame.payload().length - 2), StandardCharsets.UTF_8)
                    + ")" : "") + " instead of a ServerFrame");
        }
        return decode(frame);
    }

    /** True for the frames that carry a ServerFrame (text or binary). */
    static boolean carriesFrame(RawWebSocket.Frame frame) {
        return frame.opcode() == FrameMutator.TEXT || frame.opcode() == FrameMutator.BINARY;
    }

    /** The ServerFrame a text (JSON) or binary (protobuf) frame carries. */
    static ServerFrame decode(RawWebSocket.Frame frame) throws InvalidProtocolBufferException {
        if (frame.opcode() == FrameMutator.TEXT) {
            ServerFrame.Builder b = ServerFrame.newBuilder();
            JSON.merge(new String(frame.payload(), StandardCharsets.UTF_8), b);
            return b.build();
        }
        return ServerFrame.parseFrom(frame.payload());
    }
}
