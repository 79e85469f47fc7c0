package io.switchboard.gateway.session;

import static io.switchboard.service.config.ValueType.INT;

import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.config.PatternKey;

/** The conflation keys ({@code gateway.conflation.*}), defined once. Stateless, hence thread-safe. */
public final class ConflationKeys {
    private static final KeySection.Builder S = KeySection.builder("Conflation (`gateway.conflation.*`)");

    public static final PatternKey<Integer> MAX_RATE = S.pattern("gateway.conflation.namespaces.<ns>.max-rate", INT)
            .unsetMeans("unset (every message is delivered)")
            .check(Check.between(1, 1000))
            .doc("Conflated delivery for rooms of namespace `<ns>` (dashboards, tickers, game state): each subscriber"
                    + " receives at most this many messages per second per room and conflation key (a publish's"
                    + " `conflation_key`; messages without one share the room's slot), always the latest; a message"
                    + " that arrives before its slot is held and replaced by a newer one. Delivered messages keep their"
                    + " positions, so resume and history work as usual (a resume replays every stored message after"
                    + " the last one delivered, without conflation). See docs/protocol.md section 14.");

    public static final Key<Integer> MAX_KEYS_PER_ROOM = S.define("gateway.conflation.max-keys-per-room", INT)
            .byDefault(100)
            .check(Check.between(1, 10_000))
            .doc("Conflation keys one connection tracks per conflated room. A new key beyond them first forgets the"
                    + " keys that hold nothing and whose interval has passed; if none is idle, its message shares the"
                    + " room's own slot (conflated with the messages without a key and the other overflowing keys) and"
                    + " is counted in `gateway_conflation_key_overflows_total`. Memory: about 100 bytes per key slot.");

    /** The keys of this section, for the gateway's catalogue. */
    public static final KeySection SECTION = S.build();

    private ConflationKeys() {
    }
}
