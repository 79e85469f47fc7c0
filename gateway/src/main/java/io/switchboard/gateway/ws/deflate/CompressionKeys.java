package io.switchboard.gateway.ws.deflate;

import static io.switchboard.service.config.ValueType.BOOLEAN;
import static io.switchboard.service.config.ValueType.BYTES;

import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.config.Values;

/**
 * The gateway's keys of WebSocket compression (permessage-deflate), defined once. Stateless, hence thread-safe.
 */
public final class CompressionKeys {
    private static final KeySection.Builder S = KeySection.builder("Gateway compression (`gateway.compression.*`)");

    public static final Key<Boolean> ENABLED = S.define("gateway.compression.enabled", BOOLEAN).byDefault(true)
            .doc("Accept the `permessage-deflate` extension (RFC 7692) when a client offers it on the upgrade"
                    + " (browsers do): the gateway answers with `client_no_context_takeover`, compresses each"
                    + " outgoing message of at least `threshold-bytes` on its own, once for all its recipients,"
                    + " and inflates compressed client messages within `gateway.limits.max-frame-bytes` (beyond:"
                    + " close 1009). `false`: the extension is never answered, and Helidon serves every connection"
                    + " (docs/protocol.md, \"Compression\").");
    public static final Key<Integer> THRESHOLD_BYTES = S.define("gateway.compression.threshold-bytes", BYTES)
            .byDefault(256).check(Check.atLeast(0))
            .doc("Smallest message payload the gateway compresses; smaller ones (and any that would not shrink) go"
                    + " uncompressed on a connection that negotiated compression. `0` compresses every message.");

    /** The keys of this section, for the gateway's catalogue. */
    public static final KeySection SECTION = S.build();

    private CompressionKeys() {
    }

    /** Whether these settings turn compression on. */
    public static boolean enabled(Values settings) {
        return settings.get(ENABLED);
    }

    /** The compressor these settings ask for. */
    public static MessageDeflater deflater(Values settings) {
        return new MessageDeflater(settings.get(THRESHOLD_BYTES));
    }
}
