package io.switchboard.gateway.probe;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.google.protobuf.ByteString;

/**
 * The payload of one probe: who sent it ({@code origin}, a gateway id), the sender's run (random per start, so a
 * gateway never takes another process's probe for its own), the sequence number in that run, and whether it is the
 * goodbye of a gateway that drains. Encoded as one line of text
 * ({@code switchboard-probe/1 <run> <seq> <hello|bye> <origin>}) so a human reading the room's history
 * understands it.
 */
public record ProbeMessage(String origin, String run, long seq, boolean leaving) {
    static final String CONTENT_TYPE = "text/plain; charset=utf-8";
    private static final String MAGIC = "switchboard-probe/1";

    public ByteString encode() {
        return ByteString.copyFromUtf8(MAGIC + " " + run + " " + seq + " " + (leaving ? "bye" : "hello") + " " + origin);
    }

    /** The probe in {@code payload}, or empty when it is not one (someone else's message in a probe room). */
    public static Optional<ProbeMessage> parse(ByteString payload) {
        String[] parts = payload.toString(StandardCharsets.UTF_8).split(" ", 5);
        if (parts.length != 5 || !parts[0].equals(MAGIC) || parts[4].isEmpty()
                || !(parts[3].equals("hello") || parts[3].equals("bye"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ProbeMessage(parts[4], parts[1], Long.parseLong(parts[2]),
                    parts[3].equals("bye")));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
