package io.switchboard.gateway.ws.deflate;

import java.util.Objects;
import java.util.Set;

import io.helidon.webserver.websocket.WsConfig;

/**
 * Helidon's WebSocket protocol configuration of the gateway with compression on: {@code protocol} as it is (origins,
 * frame limit) plus the compressor. Its type is what {@link DeflateUpgradeProvider} looks for, so only a web server
 * built with it gets the gateway's upgrader; any other (a test's, another tier's) keeps Helidon's. Immutable.
 *
 * @param protocol the WebSocket configuration otherwise used
 * @param deflater compresses outgoing messages of connections that negotiate permessage-deflate
 */
public record DeflateWsConfig(WsConfig protocol, MessageDeflater deflater) implements WsConfig {
    public DeflateWsConfig {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(deflater, "deflater");
    }

    @Override
    public Set<String> origins() {
        return protocol.origins();
    }

    @Override
    public String name() {
        return protocol.name();
    }

    @Override
    public int maxFrameLength() {
        return protocol.maxFrameLength();
    }

    @Override
    public String type() {
        return protocol.type();
    }
}
