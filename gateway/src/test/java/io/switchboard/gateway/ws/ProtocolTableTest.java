package io.switchboard.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Version negotiation as docs/protocol.md section 12 states it: the first of the client's offers we speak. */
class ProtocolTableTest {
    private static final ProtocolTable V1 = ProtocolTable.v1(true);
    // A stand-in for a later version served side by side with v1 (its frames happen to be v1's).
    private static final ProtocolTable V1_AND_V2 = V1.with(List.of(
            new ProtocolOffer("switchboard.v2.proto", 2, Subprotocol.PROTO, false)));

    @Test
    void aClientOfferingALaterVersionFirstGetsTheV1ItAlsoOffers() {
        assertThat(V1.negotiate(List.of("switchboard.v2.proto, switchboard.v1.proto")))
                .contains(ProtocolOffer.v1(Subprotocol.PROTO));
        assertThat(V1.negotiate(List.of("switchboard.v2.json", "switchboard.v1.json")))
                .contains(ProtocolOffer.v1(Subprotocol.JSON));
    }

    @Test
    void theClientsOrderOfPreferenceDecides() {
        assertThat(V1.negotiate(List.of("switchboard.v1.json,switchboard.v1.proto")).orElseThrow().encoding())
                .isEqualTo(Subprotocol.JSON);
        assertThat(V1.negotiate(List.of("mqtt, switchboard.v1.proto", "switchboard.v1.json")).orElseThrow().encoding())
                .isEqualTo(Subprotocol.PROTO);
    }

    @Test
    void aV1ClientGetsV1FromAGatewayThatAlsoServesV2() {
        assertThat(V1_AND_V2.negotiate(List.of("switchboard.v1.proto+batch", "switchboard.v1.proto")))
                .contains(ProtocolOffer.v1(Subprotocol.PROTO).withBatching());
        assertThat(V1_AND_V2.negotiate(List.of("switchboard.v1.json"))).contains(ProtocolOffer.v1(Subprotocol.JSON));
        assertThat(V1_AND_V2.negotiate(List.of("switchboard.v2.proto, switchboard.v1.proto")).orElseThrow().version())
                .isEqualTo(2);
    }

    @Test
    void batchingIsOfferedOnlyWhenEnabledAndThenAClientAskingForItGetsPlainV1() {
        assertThat(V1.tokens()).containsExactly("switchboard.v1.proto", "switchboard.v1.proto+batch",
                "switchboard.v1.json", "switchboard.v1.json+batch");
        ProtocolTable plain = ProtocolTable.v1(false);
        assertThat(plain.tokens()).containsExactly("switchboard.v1.proto", "switchboard.v1.json");
        assertThat(plain.negotiate(List.of("switchboard.v1.json+batch", "switchboard.v1.json")))
                .contains(ProtocolOffer.v1(Subprotocol.JSON));
    }

    @Test
    void onlyVersionsWeDoNotSpeakAreRefused() {
        assertThat(V1.negotiate(List.of("switchboard.v2.json, chat"))).isEmpty();
        assertThat(V1.negotiate(List.of())).isEmpty();
        // Exact tokens only: no prefix or case games.
        assertThat(V1.negotiate(List.of("Switchboard.V1.json", "switchboard.v1"))).isEmpty();
    }

    @Test
    void aTableRejectsBadOrRepeatedTokens() {
        assertThatThrownBy(() -> V1.with(List.of(ProtocolOffer.v1(Subprotocol.JSON))))
                .hasMessageContaining("switchboard.v1.json").hasMessageContaining("listed once");
        assertThatThrownBy(() -> new ProtocolOffer("switchboard v2", 2, Subprotocol.JSON, false))
                .hasMessageContaining("RFC 7230 token");
        assertThatThrownBy(() -> ProtocolTable.of(List.of())).hasMessageContaining("at least one");
    }
}
