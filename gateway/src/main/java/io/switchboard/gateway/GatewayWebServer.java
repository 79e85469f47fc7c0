package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayKeys.ADMIN_DRILLS;
import static io.switchboard.gateway.GatewayKeys.ADMIN_TOKEN;
import static io.switchboard.gateway.GatewayKeys.HOST;
import static io.switchboard.gateway.GatewayKeys.IDLE_TIMEOUT;
import static io.switchboard.gateway.GatewayKeys.MAX_FRAME_BYTES;
import static io.switchboard.gateway.GatewayKeys.PORT;
import static io.switchboard.gateway.GatewayKeys.SOCKET_READ_BUFFER;
import static io.switchboard.gateway.GatewayKeys.WS_PATH;

import java.util.Optional;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.websocket.WsConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.gateway.admin.AdminAuth;
import io.switchboard.gateway.admin.AdminStatus;
import io.switchboard.gateway.admin.AdminViewService;
import io.switchboard.gateway.admin.DebugAdminService;
import io.switchboard.gateway.admin.DrillAdminService;
import io.switchboard.gateway.debug.DebugSessions;
import io.switchboard.gateway.drain.DrainAdminService;
import io.switchboard.gateway.limits.EdgeLimits;
import io.switchboard.gateway.observe.HealthChecks;
import io.switchboard.gateway.observe.MetricsService;
import io.switchboard.gateway.session.Admission;
import io.switchboard.gateway.warmup.ConnectWarmUp;
import io.switchboard.gateway.ws.ConnectionHandler;
import io.switchboard.gateway.ws.SocketReadBuffer;
import io.switchboard.gateway.ws.TransportReaper;
import io.switchboard.gateway.ws.WsEndpoint;
import io.switchboard.gateway.ws.WsProtocols;
import io.switchboard.gateway.ws.deflate.CompressionKeys;
import io.switchboard.gateway.ws.deflate.DeflateWsConfig;

/**
 * The gateway's one port, as a Helidon web server (not started): the WebSocket endpoint at
 * {@code gateway.ws-path} (upgrades refused with 503 while the gateway does not admit new work), {@code /metrics},
 * {@code /observe/health/{live,ready}}, {@code /admin/*} and any extra routes; all of them over TLS when
 * {@code tls} is given (its certificate is replaced later through {@code WebServer.reloadTls}). Stateless.
 */
final class GatewayWebServer {
    private static final HeaderName WARM_UP_PASS = HeaderNames.create(ConnectWarmUp.PASS_HEADER);

    /** What the health checks ask the gateway. */
    record Health(BooleanSupplier ready, BooleanSupplier positioned, BooleanSupplier alive,
                  BooleanSupplier probeHealthy) {
    }

    /** What the {@code /admin} services drive. */
    record Admin(DrainAdminService.Control drain, DrillAdminService.Fanout drills, DebugSessions debug,
                 Supplier<Optional<AdminStatus>> status) {
    }

    private GatewayWebServer() {
    }

    /** The WebSocket protocol: with compression on, in the type that gets the gateway's upgrader (permessage-deflate). */
    private static WsConfig wsConfig(GatewayConfig config, EdgeLimits limits) {
        WsConfig ws = limits.wsConfig(config.get(MAX_FRAME_BYTES));
        return CompressionKeys.enabled(config) ? new DeflateWsConfig(ws, CompressionKeys.deflater(config)) : ws;
    }

    /**
     * @param protocols the subprotocols the WebSocket endpoint offers, and batching
     * @param sessions opens the session of each connection; yields null until the gateway is ready
     * @param reaper   cleans up after each connection once its thread has ended
     * @param tls      the TLS the port starts with; empty for plain HTTP
     * @param limits   the edge limits: origin check, HTTP head limit, handshake deadlines, CORS and upgrade caps
     */
    static WebServer build(GatewayConfig config, PrometheusRegistry registry, Admission admission, Health health,
                           Admin admin, Consumer<HttpRouting.Builder> extraRouting, WsProtocols protocols,
                           Supplier<ConnectionHandler.Factory> sessions, TransportReaper reaper, Optional<Tls> tls,
                           EdgeLimits limits) {
        HealthObserver observer = HealthObserver.builder()
                .useSystemServices(false)
                .details(true)
                .addCheck(HealthChecks.readiness(health.ready(), health.positioned(), admission::isDraining,
                        health.probeHealthy()))
                .addCheck(HealthChecks.liveness(health.alive()))
                .build();
        WebServerConfig.Builder server = WebServer.builder();
        tls.ifPresent(server::tls);
        return server
                .host(config.get(HOST))
                .port(config.get(PORT))
                .shutdownHook(false)
                .featuresDiscoverServices(false)
                .idleConnectionTimeout(config.get(IDLE_TIMEOUT))
                .connectionOptions(limits.connectionOptions())
                // Helidon's NIO socket (its default) keeps two 8 KiB heap buffers per connection and shares its write
                // buffer between concurrent writers (our connection writer and Helidon's own close and error frames);
                // the plain socket keeps one read buffer and writes each buffer whole under the socket's write lock.
                .useNio(false)
                .addProtocol(wsConfig(config, limits))
                .addProtocol(limits.http1Config())
                .addFeature(ObserveFeature.just(observer))
                .routing(r -> {
                    r.addFilter((chain, req, res) -> {
                        // Upgrades pass through HTTP filters in Helidon 4.5: refuse them while not ready or draining.
                        if (req.path().path().equals(config.get(WS_PATH))
                                && !admission.admitsUpgrade(req.headers().first(WARM_UP_PASS).orElse(null))) {
                            res.status(Status.SERVICE_UNAVAILABLE_503).send();
                            return;
                        }
                        chain.proceed();
                    });
                    limits.install(r, config.get(WS_PATH), List.of("/metrics", "/observe", "/admin"), reaper::watch,
                            reaper::sweep, admission::isOpen);
                    r.register("/metrics", new MetricsService(registry));
                    // The admin view's page (no data: a browser cannot send the token on navigation), then the
                    // guard: it answers 404 or 401, or passes on to the service of the path.
                    r.register("/admin", new AdminViewService.Page(config.find(ADMIN_TOKEN).isPresent()),
                            new AdminAuth(config.find(ADMIN_TOKEN)), new DrainAdminService(admin.drain()),
                            new DrillAdminService(config.get(ADMIN_DRILLS), admin.drills()),
                            new DebugAdminService(admin.debug()), new AdminViewService(admin.status()));
                    extraRouting.accept(r);
                })
                .addRouting(WsEndpoint.routing(config.get(WS_PATH), protocols, config.get(MAX_FRAME_BYTES),
                        SocketReadBuffer.of(config.get(SOCKET_READ_BUFFER)), sessions, reaper))
                .build();
    }
}
