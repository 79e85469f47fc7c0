package io.switchboard.gateway.limits;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Optional;

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
    static final String RETRY_AFTER_SECONDS = "5";

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
        InetAddress client = clientOf(req);
        ConnectionCaps.Outcome admission = caps.tryAdmit(client);
        if (admission instanceof ConnectionCaps.Refused) {
            reapEnded.run();
            admission = caps.tryAdmit(client);
        }
        return switch (admission) {
            case ConnectionCaps.Lease lease -> Optional.of(lease);
            case ConnectionCaps.Refused refused -> {
                boolean gateway = refused == ConnectionCaps.Refused.GATEWAY_FULL;
                metrics.refused(gateway ? LimitMetrics.Limit.GATEWAY_CONNECTIONS
                        : LimitMetrics.Limit.ADDRESS_CONNECTIONS);
                res.header(HeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
                res.status(gateway ? Status.SERVICE_UNAVAILABLE_503 : Status.TOO_MANY_REQUESTS_429)
                        .send(gateway ? "gateway connection limit reached" : "connection limit of this client"
                                + " address reached");
                yield Optional.empty();
            }
        };
    }

    private InetAddress clientOf(ServerRequest req) {
        SocketAddress peer = req.remotePeer().address();
        InetAddress peerAddress = peer instanceof InetSocketAddress inet ? inet.getAddress()
                : InetAddress.getLoopbackAddress();
        List<String> forwarded = clients.header()
                .map(h -> req.headers().values(HeaderNames.create(h)))
                .orElse(List.of());
        return clients.resolve(peerAddress, forwarded);
    }
}
