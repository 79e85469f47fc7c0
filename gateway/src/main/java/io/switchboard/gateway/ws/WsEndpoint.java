package io.switchboard.gateway.ws;

import java.util.function.Supplier;

import io.helidon.webserver.websocket.WsRouting;

/**
 * Registers the gateway's WebSocket endpoint: one {@link GatewayWsListener} per connection, all sharing one
 * {@link SessionServices}. The services are looked up per connection because they exist only once the gateway
 * has learned its id and the Kafka topic, after the web server is bound; until then upgrades are refused
 * (HTTP 503 by the gateway's admission filter). Thread-safe.
 */
public final class WsEndpoint {
    private WsEndpoint() {
    }

    /** WebSocket routing with the endpoint at {@code path}; {@code services} yields null until ready. */
    public static WsRouting.Builder routing(String path, Supplier<SessionServices> services) {
        return WsRouting.builder().endpoint(path, () -> new GatewayWsListener(services.get()));
    }
}
