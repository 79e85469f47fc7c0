package io.switchboard.chaos;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.switchboard.chaos.FrameMutator.Sample;
import io.switchboard.chaos.FrameMutator.WsFrame;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.Ping;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.RawWebSocket;
import io.switchboard.testkit.Subprotocol;

/**
 * Sends frames that may end their connection ({@link FrameMutator#hostile}), each on a fresh connection (after a
 * Connect, or as the first frame when the case says so), and checks the answer against {@link FrameOracle}: the
 * expected close code, or, for a frame that turned out to be a valid request, a connection that stays open (a Ping
 * after it is answered) and Errors only with codes of the table. Not thread-safe: one per thread.
 */
final class HostileFuzzer {
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    private static final long BARRIER = 0x5EED;

    private final URI uri;
    private final String token;
    private final FrameMutator mutator;
    private final FrameOracle oracle;
    private final FuzzTally tally;
    private final int maxFrameBytes;

    HostileFuzzer(URI uri, String token, FrameMutator mutator, FrameOracle oracle, FuzzTally tally, int maxFrameBytes) {
        this.uri = uri;
        this.token = token;
        this.mutator = mutator;
        this.oracle = oracle;
        this.tally = tally;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Sends {@code count} hostile frames, alternating the subprotocols. */
    void run(int count) throws IOException {
        for (int i = 0; i < count; i++) {
            Subprotocol subprotocol = i % 2 == 0 ? Subprotocol.PROTO : Subprotocol.JSON;
            Sample sample = mutator.hostile(subprotocol, maxFrameBytes);
            one(subprotocol, sample, oracle.expect(sample, subprotocol));
        }
    }

    private void one(Subprotocol subprotocol, Sample sample, FrameOracle.Expectation expected) throws IOException {
        String kind = "hostile " + subprotocol.name().toLowerCase(java.util.Locale.ROOT) + " " + sample.kind();
        try (RawWebSocket ws = RawWebSocket.connect(uri, subprotocol.token())) {
            ws.readTimeout(ANSWER_TIMEOUT);
            if (sample.afterConnect()) {
                FuzzWire.send(ws, subprotocol, ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(token)).build());
                ServerFrame connected = FuzzWire.expectFrame(ws, kind + ": the reply to connect");
                if (!connected.hasConnected()) {
                    throw new AssertionError("connection not accepted: " + connected);
                }
            }
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            for (WsFrame f : sample.frames()) {
                wire.writeBytes(ws.encode(f.firstByte(), f.masked(), f.declaredLength(), f.payload()));
            }
            tally.sent();
            try {
                ws.sendRaw(wire.toByteArray());
            } catch (IOException e) {
                // The gateway may close while a long frame is still being written; its close frame was sent first.
            }
            if (expected instanceof FrameOracle.Closes closes) {
                int code = awaitClose(ws, subprotocol, kind);
                tally.answered(kind, "close " + code + " " + oracle.name(code));
                if (!closes.codes().contains(code) || !oracle.isCloseCode(code)) {
                    tally.fail(kind + ": closed with " + code + " " + oracle.name(code) + " (expected: " + closes.codes()
                            + ", " + closes.rule() + "); frame: " + preview(sample));
                }
            } else if (expected instanceof FrameOracle.Ends) {
                String outcome = ended(ws);
                tally.answered(kind, outcome);
                if (!outcome.startsWith("ended")) {
                    tally.fail(kind + ": " + outcome + " (expected: the connection ends); frame: " + preview(sample));
                }
            } else {
                stillOpen(ws, subprotocol, kind, sample);
            }
        }
    }

    /** Reads until the close frame: its code (1006 when the connection ends without one). */
    private int awaitClose(RawWebSocket ws, Subprotocol subprotocol, String kind) throws IOException {
        try {
            while (true) {
                RawWebSocket.Frame frame = ws.readFrame();
                if (frame.opcode() == RawWebSocket.CLOSE) {
                    return frame.closeCode();
                }
                if (FuzzWire.carriesFrame(frame)) {
                    checkError(FuzzWire.decode(frame), kind);
                }
            }
        } catch (EOFException e) {
            return 1006;
        }
    }

    /** How the connection ended: after an HTTP error response, or with nothing more (no WebSocket close frame). */
    private static String ended(RawWebSocket ws) throws IOException {
        byte[] rest = ws.readToEnd(64 * 1024);
        String text = new String(rest, StandardCharsets.ISO_8859_1);
        if (text.startsWith("HTTP/1.1 ")) {
            return "ended after an HTTP " + text.substring(9, Math.min(text.length(), 12)) + " response";
        }
        return rest.length == 0 ? "ended" : "sent " + rest.length + " more bytes: " + text.substring(0, Math.min(40, text.length()));
    }

    /** A valid request: the connection answers a Ping after it, and every Error in between is in the table. */
    private void stillOpen(RawWebSocket ws, Subprotocol subprotocol, String kind, Sample sample) throws IOException {
        FuzzWire.send(ws, subprotocol, ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(BARRIER)).build());
        String outcome = "open";
        try {
            while (true) {
                RawWebSocket.Frame frame = ws.readFrame();
                if (frame.opcode() == RawWebSocket.CLOSE) {
                    tally.answered(kind, "close " + frame.closeCode() + " " + oracle.name(frame.closeCode()));
                    tally.fail(kind + ": a valid request closed its connection with " + frame.closeCode() + " "
                            + new String(frame.payload(), StandardCharsets.UTF_8) + "; frame: " + preview(sample));
                    return;
                }
                if (!FuzzWire.carriesFrame(frame)) {
                    continue;
                }
                ServerFrame reply = FuzzWire.decode(frame);
                if (reply.hasPong() && reply.getPong().getNonce() == BARRIER) {
                    break;
                }
                if (reply.hasError()) {
                    outcome = "open, error " + reply.getError().getCodeValue() + " " + oracle.name(reply.getError().getCodeValue());
                    checkError(reply, kind);
                } else if (outcome.equals("open")) {
                    outcome = "open, " + reply.getFrameCase().name().toLowerCase(java.util.Locale.ROOT);
                }
            }
        } catch (EOFException e) {
            tally.answered(kind, "ended without a close frame");
            tally.fail(kind + ": a valid request ended its connection without a close frame; frame: " + preview(sample));
            return;
        }
        tally.answered(kind, outcome);
        ws.sendFrame(RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8});
    }

    private void checkError(ServerFrame reply, String kind) {
        if (reply.hasError() && !oracle.isErrorCode(reply.getError().getCodeValue())) {
            tally.fail(kind + ": error code " + reply.getError().getCodeValue() + " is not an Error code of the table");
        }
    }



    private static String preview(Sample sample) {
        byte[] message = sample.message();
        String text = new String(message, 0, Math.min(message.length, 120), StandardCharsets.ISO_8859_1)
                .replaceAll("[^\\x20-\\x7e]", "?");
        return sample.frames().size() + " frame(s), first byte 0x" + Integer.toHexString(sample.frames().get(0).firstByte())
                + ", " + message.length + " bytes: " + text;
    }
}
