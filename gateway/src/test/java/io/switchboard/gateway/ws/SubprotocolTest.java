package io.switchboard.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Version negotiation as docs/protocol.md section 12 states it: the first of the client's offers we speak. */
class SubprotocolTest {
    @Test
    void aClientOfferingALaterVersionFirstGetsTheV1ItAlsoOffers() {
        assertThat(Subprotocol.negotiate(List.of("switchboard.v2.proto, switchboard.v1.proto")))
                .contains(Subprotocol.PROTO);
        assertThat(Subprotocol.negotiate(List.of("switchboard.v2.json", "switchboard.v1.json")))
                .contains(Subprotocol.JSON);
    }

    @Test
    void theClientsOrderOfPreferenceDecides() {
        assertThat(Subprotocol.negotiate(List.of("switchboard.v1.json,switchboard.v1.proto"))).contains(Subprotocol.JSON);
        assertThat(Subprotocol.negotiate(List.of("switchboard.v1.proto, switchboard.v1.json"))).contains(Subprotocol.PROTO);
    }

    @Test
    void onlyVersionsWeDoNotSpeakAreRefused() {
        assertThat(Subprotocol.negotiate(List.of("switchboard.v2.json, chat"))).isEmpty();
        assertThat(Subprotocol.negotiate(List.of())).isEmpty();
    }
}
