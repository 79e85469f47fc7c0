package io.switchboard.gateway.ws;

import java.util.function.Supplier;

import io.helidon.webserver.websocket.WsRouting;

/**
 * Registers the gateway's WebSocket endpoint: one {@link GatewayWsListener} per connection, all opening their
 * sessions with one {@link ConnectionHandler.Factory}. The factory is looked up per connection because it exists
 * only once the gateway has learned its id and the Kafka topic, after the web server is bound; until then
 * upgrades are refused (HTTP 503 by the gateway's admission filter). Thread-safe.
 */
public final class WsEndpoint {
    private WsEndpoint() {
    }

    /**
     * WebSocket routing with the endpoint at {@code path}; {@code sessions} yields null until ready; every
     * connection is watched by {@code reaper} so its session is cleaned up however it ends.
     *
     * @param protocols     the subprotocols offered (HTTP 400 for an upgrade offering none of them) and batching
     * @param maxFrameBytes largest client message after reassembling its fragments (beyond: close 1009)
     * @param readBuffer    the read buffer each connection's socket gets when it opens
     */
    public static WsRouting.Builder routing(String path, WsProtocols protocols, int maxFrameBytes,
                                            SocketReadBuffer readBuffer, Supplier<ConnectionHandler.Factory> sessions,
                                            TransportReaper reaper) {
        return WsRouting.builder().endpoint(path,
                () -> new GatewayWsListener(sessions.get(), protocols, maxFrameBytes, readBuffer, reaper));
    }
}
