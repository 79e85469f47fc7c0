package io.switchboard.gateway.ws.netty;

import static io.switchboard.service.config.ValueType.INT;

import io.switchboard.gateway.tls.TlsKeys;
import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.config.Rule;

/**
 * The key of the gateway's second WebSocket listener, on Netty, defined once, with the rules that refuse what it
 * does not serve (TLS). Stateless, hence thread-safe.
 */
public final class NettyKeys {
    private static final KeySection.Builder S = KeySection.builder("Gateway Netty listener (`gateway.netty.*`)");

    public static final Key<Integer> PORT = S.define("gateway.netty.port", INT).check(Check.port())
            .unsetMeans("unset (off)")
            .doc("Opens a second WebSocket listener on this port, on Netty (epoll where available): the same"
                    + " endpoint (`gateway.ws-path`), subprotocols, sessions, admission, origin rule, connection caps"
                    + " and frame limits as the main port, but an idle connection holds no thread (for measuring"
                    + " memory per idle connection, docs/performance.md). `0` picks a free port (logged as `Netty"
                    + " WebSocket listener on ws://HOST:PORT/PATH`). Plain `ws://` only: the gateway refuses to start when it"
                    + " is set with `gateway.tls.certificate`. permessage-deflate is not negotiated there: a client"
                    + " that offers it gets uncompressed frames (RFC 7692 lets a server decline), whatever"
                    + " `gateway.compression.enabled` says for the main port. Only the WebSocket"
                    + " endpoint is served there; `/metrics`, health and admin stay on `gateway.port`. See"
                    + " docs/ops/netty-listener.md.");

    /** The key of this section, for the gateway's catalogue. */
    public static final KeySection SECTION = S
            .rule(Rule.of(PORT, s -> s.find(PORT).isEmpty() || s.find(TlsKeys.CERTIFICATE).isEmpty(),
                    s -> "unset while gateway.tls.certificate is set (the Netty listener serves plain ws:// only)"))
            .build();

    private NettyKeys() {
    }
}
