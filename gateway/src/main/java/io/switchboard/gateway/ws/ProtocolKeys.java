package io.switchboard.gateway.ws;

import static io.switchboard.service.config.ValueType.BOOLEAN;
import static io.switchboard.service.config.ValueType.BYTES;
import static io.switchboard.service.config.ValueType.INT;

import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.config.Values;

/**
 * The gateway's keys of the client protocol, defined once: which subprotocols are offered and how large a batch
 * grows. Stateless, hence thread-safe.
 */
public final class ProtocolKeys {
    private static final KeySection.Builder S = KeySection.builder("Gateway client protocol (`gateway.protocol.*`)");

    public static final Key<Boolean> BATCHING = S.define("gateway.protocol.batching", BOOLEAN).byDefault(true)
            .doc("Offer the `+batch` subprotocols (`switchboard.v1.proto+batch`, `switchboard.v1.json+batch`): a"
                    + " client that offers one of them gets the frames waiting together in its outbound queue as one"
                    + " `Batch` message (docs/protocol.md section 13). `false`: only the plain subprotocols are"
                    + " offered, and clients that also offer a plain one (both SDKs do) negotiate it.");
    public static final Key<Integer> BATCH_MAX_FRAMES = S.define("gateway.protocol.batch-max-frames", INT)
            .byDefault(64).check(Check.between(2, 64))
            .doc("Most frames in one `Batch`. One write of a connection's writer takes at most 64 frames, hence the"
                    + " upper bound.");
    public static final Key<Integer> BATCH_MAX_BYTES = S.define("gateway.protocol.batch-max-bytes", BYTES)
            .byDefault(65_536).check(Check.between(1024, 65_536))
            .doc("Largest `Batch` payload; a single frame larger than this still goes, on its own. One write of a"
                    + " connection's writer takes at most 64 KiB, hence the upper bound.");

    /** The keys of this section, for the gateway's catalogue. */
    public static final KeySection SECTION = S.build();

    private ProtocolKeys() {
    }

    /** The v1 offers these settings ask for. */
    public static ProtocolTable table(Values settings) {
        return ProtocolTable.v1(settings.get(BATCHING));
    }

    /** The batch limits these settings ask for. */
    public static BatchLimits batchLimits(Values settings) {
        return new BatchLimits(settings.get(BATCH_MAX_FRAMES), settings.get(BATCH_MAX_BYTES));
    }
}
