package io.switchboard.gateway.ws.deflate;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.spi.Http1RoutedUpgrade;
import io.helidon.webserver.http1.spi.Http1RoutedUpgrader;
import io.helidon.webserver.http1.spi.Http1UpgradeResponse;
import io.helidon.webserver.http1.spi.Http1UpgradeResult;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.websocket.WsRoute;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.webserver.websocket.WsUpgrader;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsUpgradeException;

/**
 * The gateway's WebSocket upgrader when compression is on. Every upgrade is first checked by Helidon's own upgrader
 * (route, GET, key, version, Origin: its answers, 400 and 403, unchanged). An upgrade that offers a
 * {@code permessage-deflate} the gateway can honour ({@link PerMessageDeflate}) is then answered here, after the HTTP
 * filters as Helidon does: the listener's {@code onHttpUpgrade} (the subprotocol), the 101 with the extension's
 * answer, and a {@link DeflateWsConnection}. Any other upgrade is Helidon's from start to end. Thread-safe.
 */
final class DeflateUpgrader extends WsUpgrader implements Http1RoutedUpgrader {
    private static final String ACCEPT = "Sec-WebSocket-Accept";

    private final WsUpgrader helidon;
    private final MessageDeflater deflater;
    private final int maxFrameLength;

    DeflateUpgrader(DeflateWsConfig config) {
        super(config);
        this.helidon = WsUpgrader.create(config);
        if (!(helidon instanceof Http1RoutedUpgrader)) {
            throw new IllegalStateException("Helidon's WebSocket upgrader is no longer a routed upgrader");
        }
        this.deflater = config.deflater();
        this.maxFrameLength = config.maxFrameLength();
    }

    @Override
    public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
        // Helidon's unrouted path (not taken by HTTP/1 in 4.5): no compression.
        return helidon.upgrade(ctx, prologue, headers);
    }

    @Override
    public Optional<Http1RoutedUpgrade> routedUpgrade(ConnectionContext ctx, HttpPrologue prologue,
                                                      WritableHeaders<?> headers) {
        Optional<Http1RoutedUpgrade> plain = ((Http1RoutedUpgrader) helidon).routedUpgrade(ctx, prologue, headers);
        if (plain.isEmpty()) {
            return plain;
        }
        WsRoute route = ctx.router().routing(WsRouting.class, WsRouting.empty()).findRoute(prologue);
        String key = headers.get(WS_KEY).get();
        Http1RoutedUpgrade helidonUpgrade = plain.get();
        return Optional.of((response, filtered) -> offer(filtered)
                .map(extension -> upgrade(ctx, prologue, route, key, extension, response, filtered))
                .orElseGet(() -> helidonUpgrade.upgrade(response, filtered)));
    }

    private static Optional<String> offer(Headers headers) {
        List<String> offers = headers.contains(EXTENSIONS) ? headers.get(EXTENSIONS).allValues() : List.of();
        return PerMessageDeflate.answer(offers);
    }

    private Http1UpgradeResult upgrade(ConnectionContext ctx, HttpPrologue prologue, WsRoute route, String key,
                                       String extension, Http1UpgradeResponse response, Headers headers) {
        if (!isWebSocketUpgrade(headers)) {
            return Http1UpgradeResult.notApplicable();
        }
        WsListener listener = route.listener();
        Optional<Headers> fromListener;
        try {
            fromListener = Objects.requireNonNull(listener.onHttpUpgrade(prologue, headers));
        } catch (WsUpgradeException e) {
            response.send(Status.BAD_REQUEST_400);
            return Http1UpgradeResult.responded();
        }
        ServerResponseHeaders answer = ServerResponseHeaders.create();
        fromListener.ifPresent(answer::from);
        answer.set(HeaderValues.create(HeaderNames.CONNECTION, "Upgrade"));
        answer.set(HeaderValues.create(HeaderNames.UPGRADE, "websocket"));
        answer.set(HeaderValues.create(ACCEPT, hash(ctx, key)));
        answer.set(HeaderValues.create(EXTENSIONS, extension));
        response.sendSwitchingProtocols(answer);
        Headers negotiated = fromListener.orElseGet(WritableHeaders::create);
        return Http1UpgradeResult.upgraded(new DeflateWsConnection(ctx, prologue, negotiated, listener, deflater,
                maxFrameLength));
    }
}
