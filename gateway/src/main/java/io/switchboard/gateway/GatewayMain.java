package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayKeys.ID;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.service.ServiceMain;

/**
 * {@code java -jar switchboard-gateway.jar [--config FILE]}: loads the configuration (environment variables,
 * then system properties, then the optional file, then the defaults of {@link GatewayKeys}), starts a
 * {@link GatewayServer} and drains and stops it on SIGTERM (bounded by {@code gateway.drain-timeout}): the same
 * paced drain as {@code POST /admin/drain} (Drain frame, then close 3000 in batches), joined when the admin
 * endpoint already started it; the drain's report is logged (see {@link ServiceMain}).
 */
public final class GatewayMain {
    static {
        ServiceMain.installLogManager();
    }

    private GatewayMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run("gateway", "switchboard-gateway.jar", args, GatewayConfig::from,
                config -> config.find(ID).orElse("(id from host name and port)"),
                config -> config.get(GatewayKeys.TELEMETRY.logFormat), GatewayMain::service);
    }

    /** The gateway as the process's one service; WebSocket, metrics and health share its port. */
    private static ServiceMain.Service service(GatewayConfig config, PrometheusRegistry registry) {
        GatewayServer server = GatewayServer.builder(config).registry(registry).build();
        return new ServiceMain.Service() {
            @Override
            public void start() {
                server.start();
            }

            @Override
            public int port() {
                return server.port();
            }

            @Override
            public int metricsPort() {
                return server.port();
            }

            @Override
            public String endpoints() {
                return "ws, metrics and health :" + server.port() + " (gateway id " + server.gatewayId() + ")";
            }

            @Override
            public void awaitTermination() throws InterruptedException {
                server.awaitTermination();
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }
}
