package io.switchboard.gateway.ws.deflate;

import io.helidon.common.Weighted;
import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.http1.spi.Http1UpgradeProvider;
import io.helidon.webserver.http1.spi.Http1Upgrader;

/**
 * Makes the gateway's {@link DeflateUpgrader} the WebSocket upgrader of a web server configured with a
 * {@link DeflateWsConfig}. Helidon's HTTP/1 connections load upgrade providers with the service loader, heaviest
 * first, and keep the first upgrader per protocol; this provider weighs more than Helidon's
 * {@code WsUpgradeProvider} and, asking only for {@link DeflateWsConfig}, yields nothing for any other configuration
 * (Helidon's then serves it). Registered in {@code META-INF/services}. Stateless.
 */
public final class DeflateUpgradeProvider implements Http1UpgradeProvider<DeflateWsConfig>, Weighted {
    private static final double WEIGHT = Weighted.DEFAULT_WEIGHT + 10;

    /** For the service loader. */
    public DeflateUpgradeProvider() {
    }

    @Override
    public String protocolType() {
        return "websocket";
    }

    @Override
    public Class<DeflateWsConfig> protocolConfigType() {
        return DeflateWsConfig.class;
    }

    @Override
    public Http1Upgrader create(DeflateWsConfig config, ProtocolConfigs configs) {
        return new DeflateUpgrader(config);
    }

    @Override
    public double weight() {
        return WEIGHT;
    }
}
