package io.switchboard.gateway.ws.deflate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the gateway answers to {@code Sec-WebSocket-Extensions} offers (docs/protocol.md, "Compression"). */
class PerMessageDeflateTest {
    private static final String ANSWER = "permessage-deflate; client_no_context_takeover";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // What Chromium and Node's ws offer.
            "permessage-deflate; client_max_window_bits|" + ANSWER,
            "permessage-deflate|" + ANSWER,
            "PerMessage-Deflate ; client_no_context_takeover ; server_no_context_takeover|" + ANSWER
                    + "; server_no_context_takeover",
            "permessage-deflate; client_max_window_bits=10|" + ANSWER,
            "permessage-deflate; client_max_window_bits=\"12\"|" + ANSWER,
            "permessage-deflate; server_max_window_bits=15|" + ANSWER + "; server_max_window_bits=15",
            // A window the JDK's deflater cannot keep to: that offer is declined, a later one taken.
            "permessage-deflate; server_max_window_bits=10, permessage-deflate|" + ANSWER,
            "x-webkit-deflate-frame, permessage-deflate|" + ANSWER,
    })
    void anOfferTheGatewayCanHonourIsAnsweredWithClientNoContextTakeover(String offer, String answer) {
        assertThat(PerMessageDeflate.answer(List.of(offer))).contains(answer);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "permessage-deflate; server_max_window_bits=10",
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; client_max_window_bits=16",
            "permessage-deflate; client_max_window_bits=abc",
            "permessage-deflate; server_no_context_takeover=1",
            "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
            "permessage-deflate; mystery",
            "x-webkit-deflate-frame",
    })
    void anOfferItCannotHonourIsDeclined(String offer) {
        assertThat(PerMessageDeflate.answer(List.of(offer))).isEmpty();
    }
}
