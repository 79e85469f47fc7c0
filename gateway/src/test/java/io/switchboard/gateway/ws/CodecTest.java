package io.switchboard.gateway.ws;

import java.nio.charset.StandardCharsets;

import com.google.protobuf.ByteString;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CodecTest {
    private static final ClientFrame PUBLISH = ClientFrame.newBuilder().setPublish(Publish.newBuilder()
            .setRequestId(7).setRoom("chat:lobby").setId("m-1")
            .setPayload(ByteString.copyFromUtf8("héllo")).setContentType("text/plain").setAck(true)).build();

    @Test
    void protoRoundTripsBinaryFrames() throws Exception {
        ClientFrame decoded = ProtoCodec.INSTANCE.decode(PUBLISH.toByteArray());
        assertThat(decoded).isEqualTo(PUBLISH);
    }

    @Test
    void protoRejectsMalformedBytesAndTextFrames() {
        assertThatThrownBy(() -> ProtoCodec.INSTANCE.decode(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}))
                .isInstanceOf(ProtocolViolation.class).hasMessageContaining("malformed protobuf");
        assertThatThrownBy(() -> ProtoCodec.INSTANCE.decode("{}"))
                .isInstanceOf(ProtocolViolation.class).hasMessageContaining("expected: binary");
    }

    @Test
    void protoFrameWithOnlyAnUnknownFieldDecodesAsFrameNotSet() throws Exception {
        // field 15, varint 1: a frame type this version does not know
        ClientFrame decoded = ProtoCodec.INSTANCE.decode(new byte[] {(byte) 0x78, 0x01});
        assertThat(decoded.getFrameCase()).isEqualTo(ClientFrame.FrameCase.FRAME_NOT_SET);
    }

    @Test
    void jsonParsesCanonicalJson() throws Exception {
        String json = "{\"publish\":{\"requestId\":7,\"room\":\"chat:lobby\",\"id\":\"m-1\","
                + "\"payload\":\"aMOpbGxv\",\"contentType\":\"text/plain\",\"ack\":true}}";
        assertThat(JsonCodec.INSTANCE.decode(json)).isEqualTo(PUBLISH);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "not json", "{\"publish\":{\"requestId\":\"x\"}}", "{\"bogus\":{}}",
            "{\"publish\":{\"room\":\"a\",\"color\":\"red\"}}"})
    void jsonRejectsMalformedJsonAndUnknownFields(String text) {
        assertThatThrownBy(() -> JsonCodec.INSTANCE.decode(text))
                .isInstanceOf(ProtocolViolation.class).hasMessageContaining("malformed JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"ping\":{\"nonce\":\"1e536870000\"}}",
            "{\"publish\":{\"requestId\":1e536870000,\"room\":\"a\"}}",
            "{\"history\":{\"requestId\":1,\"room\":\"a\",\"limit\":\"-9E+999999999\"}}",
            "{subscribe:{requestId:1,room:'a',resumeFrom:{position:1e401}}}",
            "{\"setStatus\":{\"requestId\":1,\"status\":1e536870000}}"})
    void jsonRefusesNumbersTheParserWouldTakeMinutesToExpand(String text) {
        // protobuf's JsonFormat would compute 10^536870000 before checking the range (minutes of CPU, gigabytes).
        assertThatThrownBy(() -> JsonCodec.INSTANCE.decode(text)).isInstanceOf(ProtocolViolation.class)
                .hasMessageStartingWith("malformed JSON frame").hasMessageContaining("exponent within +-400");
    }

    @Test
    void jsonStillReadsEveryNumberAFieldCanHold() throws Exception {
        assertThat(JsonCodec.INSTANCE.decode("{\"ping\":{\"nonce\":\"18446744073709551615\"}}").getPing().getNonce())
                .isEqualTo(-1L);
        assertThat(JsonCodec.INSTANCE.decode("{\"history\":{\"requestId\":1,\"room\":\"a\",\"limit\":1e2}}")
                .getHistory().getLimit()).isEqualTo(100);
        // A room may look like a number: only numeric fields are checked.
        assertThat(JsonCodec.INSTANCE.decode("{\"subscribe\":{\"requestId\":1,\"room\":\"1e536870000\"}}")
                .getSubscribe().getRoom()).isEqualTo("1e536870000");
    }

    @Test
    void jsonRejectsBinaryFrames() {
        assertThatThrownBy(() -> JsonCodec.INSTANCE.decode(new byte[] {1}))
                .isInstanceOf(ProtocolViolation.class).hasMessageContaining("expected: text");
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void encodesServerFramesThatDecodeBackIdentically(Subprotocol p) throws Exception {
        ServerFrame frame = ServerFrame.newBuilder().setMessage(Message.newBuilder()
                .setRoom("r").setPosition(1L << 40).setId("i").setSender("u")
                .setPayload(ByteString.copyFrom(new byte[] {0, 1, 2, (byte) 0xff})).setEpoch("t:0")).build();
        OutboundFrame out = p.codec().encode(frame);
        assertThat(out.type()).isEqualTo("message");
        ServerFrame.Builder back = ServerFrame.newBuilder();
        if (p == Subprotocol.PROTO) {
            assertThat(out.kind()).isEqualTo(OutboundFrame.Kind.BINARY);
            assertThat(out.size()).isEqualTo(out.bytes().length);
            back.mergeFrom(out.bytes());
        } else {
            assertThat(out.kind()).isEqualTo(OutboundFrame.Kind.TEXT);
            assertThat(out.size()).isEqualTo(out.text().getBytes(StandardCharsets.UTF_8).length);
            assertThat(out.text()).contains("\"position\":\"1099511627776\"");
            com.google.protobuf.util.JsonFormat.parser().merge(out.text(), back);
        }
        assertThat(back.build()).isEqualTo(frame);
    }

    @Test
    void jsonSizeCountsUtf8Bytes() {
        ServerFrame frame = ServerFrame.newBuilder().setAck(Ack.newBuilder().setRoom("r").setId("é😀")).build();
        OutboundFrame out = JsonCodec.INSTANCE.encode(frame);
        assertThat(out.size()).isEqualTo(out.text().getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void connectFrameInJsonUsesLowerCamelCase() throws Exception {
        ClientFrame f = JsonCodec.INSTANCE.decode("{\"connect\":{\"token\":\"t\",\"client\":\"c\"}}");
        assertThat(f.getConnect()).isEqualTo(Connect.newBuilder().setToken("t").setClient("c").build());
    }
}
