package io.switchboard.gateway.probe;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.google.protobuf.ByteString;

/**
 * The payload of one probe: who sent it ({@code origin}, a gateway id), the sender's run (random per start, so a
 * gateway never takes another process's probe for its own), the sequence number in that run, whether it is the
 * goodbye of a gateway that drains, and the sender's open connections and readiness when it sent it (so every
 * gateway's admin view can list all gateways). Encoded as one line of text
 * ({@code switchboard-probe/1 <run> <seq> <hello|bye> <connections> <ready|unready> <origin>}) so a human reading
 * the room's history understands it.
 */
public record ProbeMessage(String origin, String run, long seq, boolean leaving, int connections, boolean ready) {
    static final String CONTENT_TYPE = "text/plain; charset=utf-8";
    private static final String MAGIC = "switchboard-probe/1";

    public ByteString encode() {
        return ByteString.copyFromUtf8(MAGIC + " " + run + " " + seq + " " + (leaving ? "bye" : "hello") + " "
                + connections + " " + (ready ? "ready" : "unready") + " " + origin);
    }

    /** The probe in {@code payload}, or empty when it is not one (someone else's message in a probe room). */
    public static Optional<ProbeMessage> parse(ByteString payload) {
        String[] parts = payload.toString(StandardCharsets.UTF_8).split(" ", 7);
        if (parts.length != 7 || !parts[0].equals(MAGIC) || parts[6].isEmpty()
                || !(parts[3].equals("hello") || parts[3].equals("bye"))
                || !(parts[5].equals("ready") || parts[5].equals("unready"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ProbeMessage(parts[6], parts[1], Long.parseLong(parts[2]), parts[3].equals("bye"),
                    Integer.parseInt(parts[4]), parts[5].equals("ready")));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
