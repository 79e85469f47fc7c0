package io.switchboard.gateway.ws;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The subprotocols a gateway offers, by token: what the upgrade negotiates against (docs/protocol.md section 12).
 * The gateway picks the first of the client's offers (in the client's order of preference) that is in the table;
 * a client offering none of them is refused with HTTP 400 before any session exists. Serving a new protocol
 * version next to v1 means adding its offers here; retiring one means leaving them out. Immutable, thread-safe.
 */
public final class ProtocolTable {
    private final Map<String, ProtocolOffer> byToken;
    private final List<String> tokens;

    private ProtocolTable(Map<String, ProtocolOffer> byToken) {
        if (byToken.isEmpty()) {
            throw new IllegalArgumentException("offers: none (expected: at least one)");
        }
        this.byToken = Map.copyOf(byToken);
        this.tokens = List.copyOf(byToken.keySet()); // in insertion order: byToken is a LinkedHashMap
    }

    /**
     * Protocol v1 in both encodings, with their batching variants when {@code batching} (else a client asking for
     * batches negotiates the plain v1 it also offers).
     */
    public static ProtocolTable v1(boolean batching) {
        List<ProtocolOffer> offers = new ArrayList<>();
        for (Subprotocol encoding : Subprotocol.values()) {
            ProtocolOffer plain = ProtocolOffer.v1(encoding);
            offers.add(plain);
            if (batching) {
                offers.add(plain.withBatching());
            }
        }
        return of(offers);
    }

    /** A table of exactly these offers; tokens must be distinct. */
    public static ProtocolTable of(List<ProtocolOffer> offers) {
        Map<String, ProtocolOffer> byToken = new LinkedHashMap<>();
        for (ProtocolOffer offer : offers) {
            if (byToken.putIfAbsent(offer.token(), offer) != null) {
                throw new IllegalArgumentException("token: '" + offer.token() + "' (expected: listed once)");
            }
        }
        return new ProtocolTable(byToken);
    }

    /** This table with {@code more} offers added (e.g. a newer version served side by side with v1). */
    public ProtocolTable with(List<ProtocolOffer> more) {
        List<ProtocolOffer> all = new ArrayList<>(byToken.size() + more.size());
        for (String token : tokens) {
            all.add(byToken.get(token));
        }
        all.addAll(more);
        return of(all);
    }

    /** The offer with this exact token. */
    public Optional<ProtocolOffer> ofToken(String token) {
        return Optional.ofNullable(byToken.get(token));
    }

    /**
     * Picks the first of the client's offers (in the client's order of preference) that this table holds.
     *
     * @param offered the tokens offered, possibly as comma-separated header values
     */
    public Optional<ProtocolOffer> negotiate(List<String> offered) {
        for (String value : offered) {
            for (String token : value.split(",")) {
                ProtocolOffer offer = byToken.get(token.strip());
                if (offer != null) {
                    return Optional.of(offer);
                }
            }
        }
        return Optional.empty();
    }

    /** Every token offered, in the order the table was built. */
    public List<String> tokens() {
        return tokens;
    }

    @Override
    public String toString() {
        return "ProtocolTable" + tokens;
    }
}
