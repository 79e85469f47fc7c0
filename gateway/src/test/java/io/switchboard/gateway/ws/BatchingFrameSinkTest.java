package io.switchboard.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.Batch;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ServerFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Batches as docs/protocol.md section 13 describes them, built from the frames' encoded bytes. */
class BatchingFrameSinkTest {
    private static final BatchLimits LIMITS = BatchLimits.DEFAULT;

    /** Records every WebSocket message the batching sink hands down, one list per write. */
    private static final class WireSink extends HeldBatchSink {
        final List<List<OutboundFrame>> writes = Collections.synchronizedList(new ArrayList<>());

        WireSink(boolean holdFirstWrite) {
            super(holdFirstWrite);
        }

        @Override
        public void send(List<OutboundFrame> frames) {
            writes.add(List.copyOf(frames));
            hold();
        }

        List<OutboundFrame> messages() {
            synchronized (writes) {
                return writes.stream().flatMap(List::stream).toList();
            }
        }
    }

    private static ServerFrame message(long position, int payloadBytes) {
        return ServerFrame.newBuilder().setMessage(Message.newBuilder().setRoom("room").setPosition(position)
                .setId("m" + position).setSender("alice").setEpoch("e1")
                .setPayload(ByteString.copyFrom(new byte[payloadBytes]))).build();
    }

    private static ServerFrame ack(int requestId) {
        return ServerFrame.newBuilder().setAck(Ack.newBuilder().setRequestId(requestId).setRoom("room")).build();
    }

    /** Decodes one WebSocket message of {@code encoding} as the client would. */
    private static ServerFrame decode(Subprotocol encoding, OutboundFrame frame) throws Exception {
        if (encoding == Subprotocol.PROTO) {
            assertThat(frame.kind()).isEqualTo(OutboundFrame.Kind.BINARY);
            return ServerFrame.parseFrom(frame.bytes());
        }
        assertThat(frame.kind()).isEqualTo(OutboundFrame.Kind.TEXT);
        ServerFrame.Builder b = ServerFrame.newBuilder();
        JsonFormat.parser().merge(frame.text(), b);
        return b.build();
    }

    /** The frames a client processes from these messages: each batch unpacked, in order. */
    private static List<ServerFrame> unpacked(Subprotocol encoding, List<OutboundFrame> messages) throws Exception {
        List<ServerFrame> frames = new ArrayList<>();
        for (OutboundFrame m : messages) {
            if (m.kind() == OutboundFrame.Kind.PONG) {
                continue;
            }
            ServerFrame f = decode(encoding, m);
            if (f.hasBatch()) {
                assertThat(f.getBatch().getFramesList()).noneMatch(ServerFrame::hasBatch);
                frames.addAll(f.getBatch().getFramesList());
            } else {
                frames.add(f);
            }
        }
        return frames;
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void framesOfOneWriteGoAsOneBatchThatUnpacksToTheSameFramesInOrder(Subprotocol encoding) throws Exception {
        WireSink wire = new WireSink(false);
        List<Integer> batches = new ArrayList<>();
        BatchingFrameSink sink = new BatchingFrameSink(wire, encoding, LIMITS, batches::add);
        List<ServerFrame> frames = List.of(message(0, 10), ack(7), message(300, 200), message(1L << 40, 0));

        sink.send(frames.stream().map(encoding.codec()::encode).toList());

        assertThat(wire.messages()).hasSize(1);
        OutboundFrame batch = wire.messages().getFirst();
        assertThat(batch.type()).isEqualTo("batch");
        ServerFrame decoded = decode(encoding, batch);
        assertThat(decoded).isEqualTo(ServerFrame.newBuilder().setBatch(Batch.newBuilder().addAllFrames(frames)).build());
        assertThat(batches).containsExactly(4);
        if (encoding == Subprotocol.JSON) {
            // Byte for byte what protobuf's JSON printer makes of the same batch.
            assertThat(batch.text()).isEqualTo(JsonFormat.printer().omittingInsignificantWhitespace().print(decoded));
        }
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void aSingleFrameGoesAsItIs(Subprotocol encoding) {
        WireSink wire = new WireSink(false);
        List<Integer> batches = new ArrayList<>();
        BatchingFrameSink sink = new BatchingFrameSink(wire, encoding, LIMITS, batches::add);
        OutboundFrame one = encoding.codec().encode(ack(1));

        sink.send(List.of(one));
        sink.send(one);

        assertThat(wire.messages()).containsExactly(one, one);
        assertThat(batches).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void aPongIsNeverInsideABatchAndKeepsItsPlace(Subprotocol encoding) throws Exception {
        WireSink wire = new WireSink(false);
        BatchingFrameSink sink = new BatchingFrameSink(wire, encoding, LIMITS, n -> { });
        OutboundFrame pong = OutboundFrame.pong(new byte[] {1, 2});
        List<ServerFrame> data = List.of(ack(1), ack(2), ack(3));

        sink.send(List.of(encoding.codec().encode(data.get(0)), encoding.codec().encode(data.get(1)), pong,
                encoding.codec().encode(data.get(2))));

        List<OutboundFrame> messages = wire.messages();
        assertThat(messages).hasSize(3);
        assertThat(decode(encoding, messages.get(0)).getBatch().getFramesList()).containsExactly(data.get(0), data.get(1));
        assertThat(messages.get(1)).isSameAs(pong);
        assertThat(decode(encoding, messages.get(2))).isEqualTo(data.get(2));
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void batchesStayWithinTheFrameAndByteLimits(Subprotocol encoding) throws Exception {
        WireSink wire = new WireSink(false);
        BatchLimits limits = new BatchLimits(3, 1024);
        BatchingFrameSink sink = new BatchingFrameSink(wire, encoding, limits, n -> { });
        // 20 frames of about 200 bytes (a little more in JSON: base64), one of 5,000 that cannot share a batch.
        List<ServerFrame> frames = new ArrayList<>(IntStream.range(0, 20).mapToObj(i -> message(i, 150)).toList());
        frames.add(10, message(1000, 5000));

        sink.send(frames.stream().map(encoding.codec()::encode).toList());

        List<OutboundFrame> messages = wire.messages();
        assertThat(unpacked(encoding, messages)).containsExactlyElementsOf(frames);
        for (OutboundFrame m : messages) {
            ServerFrame f = decode(encoding, m);
            if (f.hasBatch()) {
                assertThat(f.getBatch().getFramesCount()).isBetween(2, 3);
                assertThat(m.size()).isLessThanOrEqualTo(1024);
                assertThat(f.getBatch().getFramesList()).noneMatch(b -> b.getMessage().getPosition() == 1000);
            }
        }
        assertThat(messages.size()).isLessThan(frames.size());
    }

    @Test
    void queuedFramesLeaveTheQueueAsOneBatchPerWrite() throws Exception {
        WireSink wire = new WireSink(true);
        List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
        OutboundQueue queue = new OutboundQueue("t", 1 << 20,
                new BatchingFrameSink(wire, Subprotocol.JSON, LIMITS, batches::add), new OutboundQueue.Listener() { });
        queue.start();
        List<ServerFrame> sent = new ArrayList<>();
        sent.add(ack(0));
        queue.offer(JsonCodec.INSTANCE.encode(ack(0)));
        assertThat(wire.firstWrite.await(10, TimeUnit.SECONDS)).isTrue(); // the writer holds the first frame
        for (int i = 1; i <= 30; i++) {
            sent.add(message(i, 20));
            queue.offer(JsonCodec.INSTANCE.encode(message(i, 20)));
        }
        wire.release.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> wire.writes.size() == 2);
        assertThat(wire.writes.get(0)).hasSize(1);
        assertThat(wire.writes.get(1)).hasSize(1); // 30 frames, one WebSocket message
        assertThat(batches).containsExactly(30);
        assertThat(unpacked(Subprotocol.JSON, wire.messages())).containsExactlyElementsOf(sent);
        assertThat(wire.messages().get(1).text()).startsWith("{\"batch\":{\"frames\":[{\"message\":");
    }
}
