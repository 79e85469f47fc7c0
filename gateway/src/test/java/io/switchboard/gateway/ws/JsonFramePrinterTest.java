package io.switchboard.gateway.ws;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.Connected;
import io.switchboard.proto.client.v1.Limits;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.Pong;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The hot-path printer must print exactly what protobuf's JsonFormat prints, for any value. */
class JsonFramePrinterTest {
    private static final JsonFormat.Printer REFERENCE = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final String ODD_CHARS = "\"\\/\t\b\n\r\f\u0000\u0001\u001f\u007f<>&='`\u2028\u2029é€😀\uD800x";

    @Test
    void printsRandomFramesExactlyAsJsonFormat() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            ServerFrame frame = randomFrame(random);
            assertThat(JsonFramePrinter.print(frame)).as("frame %s", frame).isEqualTo(REFERENCE.print(frame));
        }
    }

    static Stream<ServerFrame> edgeCases() {
        return Stream.of(
                ServerFrame.newBuilder().setMessage(Message.getDefaultInstance()).build(),
                ServerFrame.newBuilder().setMessage(Message.newBuilder().setTimestamp(Timestamp.getDefaultInstance()))
                        .build(),
                ServerFrame.newBuilder().setMessage(Message.newBuilder().setPosition(-1L)
                        .setTimestamp(Timestamp.newBuilder().setSeconds(-62_135_596_800L))).build(),
                ServerFrame.newBuilder().setMessage(Message.newBuilder().setPosition(Long.MIN_VALUE)
                        .setTimestamp(Timestamp.newBuilder().setSeconds(253_402_300_799L).setNanos(999_999_999)))
                        .build(),
                ServerFrame.newBuilder().setAck(Ack.newBuilder().setRequestId(-1).setDevices(Integer.MIN_VALUE))
                        .build(),
                ServerFrame.newBuilder().setConnected(Connected.newBuilder().setLimits(Limits.getDefaultInstance()))
                        .build(),
                ServerFrame.newBuilder().setPong(Pong.newBuilder().setNonce(-7)).build(),
                ServerFrame.newBuilder().setPong(Pong.getDefaultInstance()).build());
    }

    @ParameterizedTest
    @MethodSource("edgeCases")
    void printsEdgeCasesExactlyAsJsonFormat(ServerFrame frame) throws Exception {
        assertThat(JsonFramePrinter.print(frame)).isEqualTo(REFERENCE.print(frame));
    }

    @Test
    void leavesOtherFramesAndOutOfRangeTimestampsToJsonFormat() {
        assertThat(JsonFramePrinter.print(ServerFrame.newBuilder()
                .setSubscribed(Subscribed.newBuilder().setRoom("r")).build())).isNull();
        assertThat(JsonFramePrinter.print(ServerFrame.newBuilder().setMessage(Message.newBuilder()
                .setTimestamp(Timestamp.newBuilder().setSeconds(253_402_300_800L))).build())).isNull();
        assertThat(JsonFramePrinter.print(ServerFrame.newBuilder().setPong(Pong.newBuilder()
                .setServerTime(Timestamp.newBuilder().setNanos(-1))).build())).isNull();
    }

    @Test
    void theCodecSendsTheFastPrintAsUtf8Text() {
        ServerFrame frame = ServerFrame.newBuilder().setMessage(Message.newBuilder().setRoom("chat:é")
                .setPayload(ByteString.copyFromUtf8("hi"))).build();
        OutboundFrame encoded = JsonCodec.INSTANCE.encode(frame);
        assertThat(encoded.kind()).isEqualTo(OutboundFrame.Kind.TEXT);
        assertThat(new String(encoded.bytes(), StandardCharsets.UTF_8))
                .isEqualTo("{\"message\":{\"room\":\"chat:é\",\"payload\":\"aGk=\"}}");
    }

    private static ServerFrame randomFrame(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> ServerFrame.newBuilder().setMessage(Message.newBuilder().setRoom(text(r)).setPosition(number(r))
                    .setId(text(r)).setSender(text(r)).setPayload(bytes(r)).setContentType(text(r))
                    .setEpoch(text(r)).setConflationKey(r.nextBoolean() ? text(r) : "").mergeFrom(r.nextBoolean()
                            ? Message.newBuilder().setTimestamp(timestamp(r)).build()
                            : Message.getDefaultInstance())).build();
            case 1 -> ServerFrame.newBuilder().setAck(Ack.newBuilder().setRequestId((int) number(r)).setRoom(text(r))
                    .setId(text(r)).setPosition(number(r)).setEpoch(text(r)).setDuplicate(r.nextBoolean())
                    .setDevices((int) number(r))).build();
            case 2 -> {
                Connected.Builder c = Connected.newBuilder().setSessionId(text(r)).setUserId(text(r))
                        .setGatewayId(text(r));
                if (r.nextBoolean()) {
                    c.setServerTime(timestamp(r));
                }
                if (r.nextBoolean()) {
                    c.setLimits(Limits.newBuilder().setMaxFrameBytes((int) number(r))
                            .setMaxPayloadBytes((int) number(r)).setMaxSubscriptions((int) number(r))
                            .setMaxOutboundQueueBytes(number(r)).setMaxRoomLength((int) number(r))
                            .setMaxIdLength((int) number(r)));
                }
                yield ServerFrame.newBuilder().setConnected(c).build();
            }
            default -> {
                Pong.Builder p = Pong.newBuilder().setNonce(number(r));
                if (r.nextBoolean()) {
                    p.setServerTime(timestamp(r));
                }
                yield ServerFrame.newBuilder().setPong(p).build();
            }
        };
    }

    /** Empty a third of the time, else a mix of ASCII and the characters JSON escaping cares about. */
    private static String text(Random r) {
        int length = r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(12);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(r.nextBoolean() ? (char) (' ' + r.nextInt(95)) : ODD_CHARS.charAt(r.nextInt(ODD_CHARS.length())));
        }
        return s.toString();
    }

    private static long number(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> r.nextInt(1000);
            case 2 -> r.nextInt();
            default -> r.nextLong();
        };
    }

    private static ByteString bytes(Random r) {
        byte[] b = new byte[r.nextInt(3) == 0 ? 0 : r.nextInt(100)];
        r.nextBytes(b);
        return ByteString.copyFrom(b);
    }

    private static Timestamp timestamp(Random r) {
        long seconds = -62_135_596_800L + (long) (r.nextDouble() * (253_402_300_799L + 62_135_596_800L));
        int nanos = switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> r.nextInt(1000) * 1_000_000;
            case 2 -> r.nextInt(1_000_000) * 1_000;
            default -> r.nextInt(1_000_000_000);
        };
        return Timestamp.newBuilder().setSeconds(r.nextBoolean() ? seconds : 1_764_000_000L + r.nextInt(100_000_000))
                .setNanos(nanos).build();
    }
}
