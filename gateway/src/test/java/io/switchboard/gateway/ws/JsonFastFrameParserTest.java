package io.switchboard.gateway.ws;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.google.protobuf.util.JsonFormat;
import io.switchboard.proto.client.v1.ClientFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Publish and Connect reader never accepts what protobuf's JsonFormat refuses and never reads a frame
 * differently: it is checked against JsonFormat on random publishes and connects, valid and broken.
 */
class JsonFastFrameParserTest {
    private static final JsonFormat.Parser REFERENCE = JsonFormat.parser();
    private static final String[] FIELDS = {"requestId", "room", "id", "payload", "contentType", "ack",
        "conflationKey"};
    private static final String[] CONNECT_FIELDS = {"token", "client"};
    private static final String[] VALUES = {"7", "0", "4294967295", "4294967296", "-1", "7.0", "7.5", "1e2", "\"7\"",
            "true", "false", "null", "\"\"", "\"chat:lobby\"", "\"aGk=\"", "\"aGk\"", "\"a-_b\"", "\"!!!!\"",
            "\"\\u00e9\\n\\\"x\"", "\"\\ud83d\\ude00\"", "{}", "[]", "\"é€\""};

    @Test
    void agreesWithJsonFormatOnRandomPublishes() {
        assertThat(readAlikeOnRandomFrames(new Random(7), "publish", FIELDS, 50_000))
                .as("publishes read without JsonFormat").isGreaterThan(1_000);
    }

    @Test
    void agreesWithJsonFormatOnRandomConnects() {
        assertThat(readAlikeOnRandomFrames(new Random(11), "connect", CONNECT_FIELDS, 20_000))
                .as("connects read without JsonFormat").isGreaterThan(1_000);
    }

    /** Checks {@code frames} random frames read here against JsonFormat; returns how many were read here. */
    private static int readAlikeOnRandomFrames(Random random, String kind, String[] fields, int frames) {
        int readHere = 0;
        for (int i = 0; i < frames; i++) {
            String text = randomFrame(random, kind, fields);
            ClientFrame fast = JsonFastFrameParser.parse(text);
            if (fast != null) {
                readHere++;
                assertThat(fast).as(text).isEqualTo(reference(text));
            }
        }
        return readHere;
    }

    @Test
    void readsTheConnectTheSdksSend() {
        String text = "{\"connect\":{\"token\":\"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln\","
                + "\"client\":\"switchboard-ts/0.1.0\"}}";
        ClientFrame fast = JsonFastFrameParser.parse(text);
        assertThat(fast).isNotNull().isEqualTo(reference(text));
        assertThat(fast.getConnect().getToken()).isEqualTo("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln");
    }

    @Test
    void readsWhatTheSdksSend() {
        String text = "{\"publish\":{\"requestId\":7,\"room\":\"chat:lobby\",\"id\":\"m-1\",\"payload\":\"aMOpbGxv\","
                + "\"contentType\":\"text/plain\",\"ack\":true,\"conflationKey\":\"cpu/host-1\"}}";
        assertThat(JsonFastFrameParser.parse(text)).isNotNull().isEqualTo(reference(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"publish\":{\"request_id\":7}}", "{\"publish\":{\"room\":\"a\",\"room\":\"b\"}}",
            "{\"publish\":{\"requestId\":\"7\"}}", "{\"publish\":{\"ack\":null}}", "{\"publish\":{}} x",
            "{\"publish\":{}, \"ping\":{}}", "{\"ping\":{}}", "{\"publish\":{\"payload\":\"aGk\"}}",
            "{\"publish\":{\"color\":\"red\"}}", "{\"publish\":{\"room\":'a'}}",
            "{\"connect\":{\"token\":\"a\",\"token\":\"b\"}}", "{\"connect\":{\"token\":7}}",
            "{\"connect\":{\"token\":null}}", "{\"connect\":{\"tokn\":\"a\"}}", "{\"connect\":{}} x",
            "{\"connect\":\"a\"}", "{\"connect\":{}, \"ping\":{}}"})
    void leavesEverythingElseToJsonFormat(String text) {
        assertThat(JsonFastFrameParser.parse(text)).isNull();
    }

    private static ClientFrame reference(String text) {
        ClientFrame.Builder b = ClientFrame.newBuilder();
        try {
            REFERENCE.merge(text, b);
            return b.build();
        } catch (Exception e) {
            return null;
        }
    }

    /** A {@code kind} frame with random fields, values, order, repeats and whitespace; sometimes broken. */
    private static String randomFrame(Random r, String kind, String[] fields) {
        List<String> members = new ArrayList<>();
        int n = r.nextInt(fields.length + 1);
        for (int i = 0; i < n; i++) {
            String name = r.nextInt(20) == 0 ? "color" : fields[r.nextInt(fields.length)];
            members.add(space(r) + "\"" + name + "\"" + space(r) + ":" + space(r) + VALUES[r.nextInt(VALUES.length)]
                    + space(r));
        }
        String inner = "{" + String.join(",", members) + "}";
        String text = "{\"" + kind + "\":" + space(r) + inner + space(r) + "}";
        return switch (r.nextInt(30)) {
            case 0 -> text + "}";
            case 1 -> text.substring(0, text.length() - 1);
            case 2 -> text + " ";
            default -> text;
        };
    }

    private static String space(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> " ";
            case 1 -> "\n\t";
            default -> "";
        };
    }
}
