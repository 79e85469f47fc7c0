package io.switchboard.gateway.limits;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Takes a place under the {@link ConnectionCaps} for a request's client address ({@link ClientIpResolver}), or
 * answers the refusal: HTTP 503 beyond the gateway's cap, 429 beyond the address's cap, both with
 * {@code Retry-After}. Before a cap refuses, the places of connections that have ended are given back at once
 * ({@code reapEnded}), so only open connections count. Shared by every transport that holds a client connection
 * (the WebSocket upgrade, the HTTP fallback's event stream). Thread-safe.
 */
public final class CapGate {
    /** The {@code Retry-After} a refusal carries, in seconds. */
    public static final String RETRY_AFTER_SECONDS = "5";

    private final ConnectionCaps caps;
    private final ClientIpResolver clients;
    private final LimitMetrics metrics;
    private final Runnable reapEnded;

    CapGate(ConnectionCaps caps, ClientIpResolver clients, LimitMetrics metrics, Runnable reapEnded) {
        this.caps = caps;
        this.clients = clients;
        this.metrics = metrics;
        this.reapEnded = reapEnded;
    }

    /** The place of {@code req}'s connection, or empty when a cap refused it (then {@code res} is sent). */
    public Optional<ConnectionCaps.Lease> admit(ServerRequest req, ServerResponse res) {
        return switch (admit(peerOf(req), name -> req.headers().values(HeaderNames.create(name)))) {
            case ConnectionCaps.Lease lease -> Optional.of(lease);
            case ConnectionCaps.Refused refused -> {
                boolean gateway = refused == ConnectionCaps.Refused.GATEWAY_FULL;
                res.header(HeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
                res.status(gateway ? Status.SERVICE_UNAVAILABLE_503 : Status.TOO_MANY_REQUESTS_429)
                        .send(refusal(refused));
                yield Optional.empty();
            }
        };
    }

    /**
     * The place of a connection whose socket peer is {@code peer}, or the cap that refused it (counted), for a
     * transport that answers the refusal itself: HTTP 503 for {@code GATEWAY_FULL}, 429 for {@code ADDRESS_FULL},
     * with {@link #RETRY_AFTER_SECONDS} and {@link #refusal}'s text.
     *
     * @param headerValues the values of a request header, by name (the client address header behind a proxy)
     */
    public ConnectionCaps.Outcome admit(InetAddress peer, Function<String, List<String>> headerValues) {
        List<String> forwarded = clients.header().map(headerValues).orElse(List.of());
        InetAddress client = clients.resolve(peer, forwarded);
        ConnectionCaps.Outcome admission = caps.tryAdmit(client);
        if (admission instanceof ConnectionCaps.Refused) {
            reapEnded.run();
            admission = caps.tryAdmit(client);
        }
        if (admission instanceof ConnectionCaps.Refused refused) {
            metrics.refused(refused == ConnectionCaps.Refused.GATEWAY_FULL ? LimitMetrics.Limit.GATEWAY_CONNECTIONS
                    : LimitMetrics.Limit.ADDRESS_CONNECTIONS);
        }
        return admission;
    }

    /** The body of the answer to a refused connection. */
    public static String refusal(ConnectionCaps.Refused refused) {
        return refused == ConnectionCaps.Refused.GATEWAY_FULL ? "gateway connection limit reached"
                : "connection limit of this client address reached";
    }

    private static InetAddress peerOf(ServerRequest req) {
        SocketAddress peer = req.remotePeer().address();
        return peer instanceof InetSocketAddress inet ? inet.getAddress() : InetAddress.getLoopbackAddress();
    }
}
