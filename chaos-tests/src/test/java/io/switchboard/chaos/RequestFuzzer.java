package io.switchboard.chaos;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.switchboard.chaos.FrameMutator.Sample;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.Ping;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.RawWebSocket;
import io.switchboard.testkit.Subprotocol;

import static org.awaitility.Awaitility.await;

/**
 * One long-lived fuzzing connection: sends well-formed frames with hostile values ({@link FrameMutator#request})
 * and checks that each is answered once, by its request id, with a reply or an Error whose code the protocol's
 * table lists, and that the gateway never closes the connection. At most {@link #WINDOW} requests wait for their
 * answers (below the gateway's in-flight limits, so each answer is the frame's own). Ephemeral events are answered
 * only when refused: those without an answer by the end count as relayed. Not thread-safe: {@link #run} from one
 * thread; its reader runs on its own.
 */
final class RequestFuzzer {
    static final int WINDOW = 16;
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    private record Sent(String kind, boolean ephemeral) {
    }

    private final URI uri;
    private final Subprotocol subprotocol;
    private final String token;
    private final FrameMutator mutator;
    private final FrameOracle oracle;
    private final FuzzTally tally;
    private final Map<Integer, Sent> pending = new ConcurrentHashMap<>();
    private final AtomicInteger pendingConnects = new AtomicInteger();
    private final Semaphore window = new Semaphore(WINDOW);
    private volatile boolean closing;
    private RawWebSocket ws;

    RequestFuzzer(URI uri, Subprotocol subprotocol, String token, FrameMutator mutator, FrameOracle oracle,
                  FuzzTally tally) {
        this.uri = uri;
        this.subprotocol = subprotocol;
        this.token = token;
        this.mutator = mutator;
        this.oracle = oracle;
        this.tally = tally;
    }

    /** Connects, sends {@code frames} requests, waits for their answers and closes. */
    void run(int frames) throws Exception {
        ws = RawWebSocket.connect(uri, subprotocol.token());
        FuzzWire.send(ws, subprotocol, ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(token)).build());
        ws.readTimeout(ANSWER_TIMEOUT);
        ServerFrame connected = FuzzWire.expectFrame(ws, subprotocol + " fuzzing connection: the reply to connect");
        if (!connected.hasConnected()) {
            throw new AssertionError("fuzzing connection not accepted: " + connected);
        }
        Thread reader = Thread.ofVirtual().name("fuzz-reader-" + subprotocol).start(this::read);
        try {
            int requestId = 0;
            for (int i = 0; i < frames; i++) {
                ClientFrame frame = mutator.request(++requestId);
                Sample sample = mutator.encode(frame, subprotocol);
                if (!(oracle.expect(sample, subprotocol) instanceof FrameOracle.Request)) {
                    tally.fail(sample.kind() + ": the mutator made a frame the protocol does not accept: " + frame);
                    continue;
                }
                boolean ephemeral = frame.hasEphemeral();
                if (!ephemeral && !window.tryAcquire(ANSWER_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError(subprotocol + ": no answers for " + ANSWER_TIMEOUT + "; waiting: " + pending);
                }
                if (frame.hasConnect()) {
                    pendingConnects.incrementAndGet();
                } else {
                    pending.put(requestId, new Sent(sample.kind(), ephemeral));
                }
                ws.sendRaw(ws.encode(0x80 | sample.frames().get(0).opcode(), true, sample.message().length,
                        sample.message()));
                tally.sent();
            }
            await().atMost(ANSWER_TIMEOUT).until(() -> pendingConnects.get() == 0
                    && pending.values().stream().allMatch(Sent::ephemeral));
            // Every ephemeral refusal is written before the answer to a later Ping on the same connection.
            int barrier = ++requestId;
            pending.put(barrier, new Sent(null, false)); // not one of the frames counted
            FuzzWire.send(ws, subprotocol, ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(barrier)).build());
            await().atMost(ANSWER_TIMEOUT).until(() -> !pending.containsKey(barrier));
            pending.forEach((id, sent) -> tally.answered(sent.kind(), "no reply (relayed)"));
            closing = true;
            ws.sendFrame(0x8, new byte[] {0x03, (byte) 0xE8}); // 1000: done
            reader.join(ANSWER_TIMEOUT.toMillis());
        } finally {
            closing = true;
            ws.close();
        }
    }


    private void read() {
        try {
            while (true) {
                RawWebSocket.Frame frame = ws.readFrame();
                if (frame.opcode() == RawWebSocket.CLOSE) {
                    if (!closing || frame.closeCode() != 1000) {
                        tally.fail(subprotocol + " fuzzing connection closed by the gateway with " + frame.closeCode()
                                + " " + new String(frame.payload(), StandardCharsets.UTF_8));
                    }
                    return;
                }
                if (FuzzWire.carriesFrame(frame)) {
                    answer(FuzzWire.decode(frame));
                }
            }
        } catch (EOFException e) {
            if (!closing) {
                tally.fail(subprotocol + " fuzzing connection ended without a close frame");
            }
        } catch (IOException e) {
            if (!closing) {
                tally.fail(subprotocol + " fuzzing connection failed: " + e);
            }
        }
    }

    private void answer(ServerFrame f) {
        int id;
        String outcome;
        switch (f.getFrameCase()) {
            case ACK -> {
                id = f.getAck().getRequestId();
                outcome = "ack";
            }
            case ERROR -> {
                id = f.getError().getRequestId();
                int code = f.getError().getCodeValue();
                outcome = "error " + code + " " + oracle.name(code);
                if (!oracle.isErrorCode(code)) {
                    tally.fail("error code " + code + " is not an Error code of the table: " + f.getError());
                }
                if (id == 0 && code == 205 && pendingConnects.getAndUpdate(n -> n > 0 ? n - 1 : n) > 0) {
                    tally.answered("request connect (again) " + subprotocol.name().toLowerCase(java.util.Locale.ROOT),
                            outcome);
                    window.release();
                    return;
                }
            }
            case SUBSCRIBED -> {
                id = f.getSubscribed().getRequestId();
                outcome = "subscribed";
            }
            case UNSUBSCRIBED -> {
                id = f.getUnsubscribed().getRequestId();
                outcome = "unsubscribed";
                if (id == 0) {
                    return; // the server ended a subscription (not at this test's request)
                }
            }
            case HISTORY_PAGE -> {
                id = f.getHistoryPage().getRequestId();
                outcome = "history page";
            }
            case PRESENCE_PAGE -> {
                id = f.getPresencePage().getRequestId();
                outcome = "presence page";
            }
            case PONG -> {
                id = (int) f.getPong().getNonce();
                outcome = "pong";
            }
            case CONNECTED, DRAIN -> {
                tally.fail(subprotocol + ": unexpected " + f.getFrameCase() + " on a fuzzing connection");
                return;
            }
            default -> {
                return; // messages, presence and ephemeral events of rooms it subscribed to
            }
        }
        Sent sent = pending.remove(id);
        if (sent == null) {
            tally.fail(subprotocol + ": answer to no request waiting (twice, or never asked): " + f);
            return;
        }
        if (sent.kind() != null) {
            tally.answered(sent.kind(), outcome);
        }
        if (!sent.ephemeral()) {
            window.release();
        }
    }

}
