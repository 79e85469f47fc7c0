package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.Batch;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ServerFrame;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batches (docs/protocol.md section 13) are split into their frames, in order; other frames are left alone. */
class WireFormatTest {
    private static final byte[] PAYLOAD = Payloads.create(16, 123, 7);

    @Test
    void aJsonBatchIsReadAsItsFramesInOrder() {
        String payload = java.util.Base64.getEncoder().encodeToString(PAYLOAD);
        String batch = "{\"batch\":{\"frames\":[{\"message\":{\"room\":\"load:r:0\",\"payload\":\"" + payload
                + "\"}},{\"ack\":{\"requestId\":9}}]}}";
        assertThat(kinds(WireFormat.JSON, new TextWebSocketFrame(batch))).containsExactly("MESSAGE", "ACK:9");
        assertThat(WireFormat.JSON.unbatch(new TextWebSocketFrame("{\"ack\":{\"requestId\":9}}"), f -> { }))
                .isFalse();
    }

    @Test
    void aProtobufBatchIsReadAsItsFramesInOrder() {
        ServerFrame batch = ServerFrame.newBuilder().setBatch(Batch.newBuilder()
                .addFrames(ServerFrame.newBuilder().setMessage(Message.newBuilder().setPayload(ByteString.copyFrom(PAYLOAD))))
                .addFrames(ServerFrame.newBuilder().setAck(Ack.newBuilder().setRequestId(9)))).build();
        assertThat(kinds(WireFormat.PROTO, new BinaryWebSocketFrame(Unpooled.wrappedBuffer(batch.toByteArray()))))
                .containsExactly("MESSAGE", "ACK:9");
    }

    @Test
    void wireBytesCountTheUnmaskedFrameHeader() {
        assertThat(LoadConnection.wireBytes(125)).isEqualTo(127);
        assertThat(LoadConnection.wireBytes(126)).isEqualTo(130);
        assertThat(LoadConnection.wireBytes(65_536)).isEqualTo(65_546);
    }

    @Test
    void aPlanOffersBatchingAndNamesItsRoomsInItsNamespace() {
        Plan plan = new Plan(Workload.FANOUT, WireFormat.JSON, List.of(URI.create("ws://127.0.0.1:1/ws")), 2, 1, 2, 0,
                64, TokenSpec.hs256(LoadSettings.DEFAULT_SECRET), 1, 1, 1, "t", true, "dash", false, null);
        assertThat(plan.token()).isEqualTo("switchboard.v1.json+batch");
        assertThat(plan.roomName(1)).isEqualTo("dash:t:1");
    }

    private static List<String> kinds(WireFormat format, WebSocketFrame frame) {
        List<String> kinds = new ArrayList<>();
        Inbound in = new Inbound();
        boolean split = format.unbatch(frame, inner -> {
            format.decode(inner, in);
            kinds.add(in.kind == Inbound.Kind.ACK ? "ACK:" + in.requestId : in.kind.name());
        });
        assertThat(split).isTrue();
        return kinds;
    }
}
