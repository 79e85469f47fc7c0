package io.switchboard.gateway.limits;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The connection caps on WebSocket upgrades: an upgrade request to the endpoint's path takes a place under
 * {@link ConnectionCaps} for its client address ({@link ClientIpResolver}) before it is upgraded; beyond the
 * gateway's cap it is answered HTTP 503, beyond the address's cap HTTP 429, both with {@code Retry-After}. The place
 * is given back when the connection's thread ends (Helidon runs each connection, HTTP then WebSocket, on one
 * thread), through the {@code onConnectionEnd} hook (the gateway's transport reaper); before a cap refuses, the
 * places of connections that have ended are given back at once ({@code reapEnded}), so only open connections count.
 * Thread-safe.
 */
public final class UpgradeGuard implements Filter {
    static final String RETRY_AFTER_SECONDS = "5";

    private final String wsPath;
    private final ConnectionCaps caps;
    private final ClientIpResolver clients;
    private final LimitMetrics metrics;
    private final BiConsumer<Thread, Runnable> onConnectionEnd;
    private final Runnable reapEnded;
    // The lease each connection thread holds: one per TCP connection, however many upgrades it asks for.
    private final Map<Thread, ConnectionCaps.Lease> leases = new ConcurrentHashMap<>();

    /**
     * @param onConnectionEnd runs the given cleanup once the given connection thread has ended
     * @param reapEnded       runs now the cleanups of every connection that has ended
     */
    public UpgradeGuard(String wsPath, ConnectionCaps caps, ClientIpResolver clients, LimitMetrics metrics,
                        BiConsumer<Thread, Runnable> onConnectionEnd, Runnable reapEnded) {
        this.wsPath = wsPath;
        this.caps = caps;
        this.clients = clients;
        this.metrics = metrics;
        this.onConnectionEnd = onConnectionEnd;
        this.reapEnded = reapEnded;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Thread connection = Thread.currentThread();
        if (!req.path().path().equals(wsPath) || !req.headers().contains(HeaderNames.UPGRADE)
                || leases.containsKey(connection)) {
            chain.proceed();
            return;
        }
        InetAddress client = clientOf(req);
        ConnectionCaps.Outcome admission = caps.tryAdmit(client);
        if (admission instanceof ConnectionCaps.Refused) {
            reapEnded.run();
            admission = caps.tryAdmit(client);
        }
        switch (admission) {
            case ConnectionCaps.Lease lease -> {
                leases.put(connection, lease);
                onConnectionEnd.accept(connection, () -> {
                    leases.remove(connection);
                    lease.release();
                });
                chain.proceed();
            }
            case ConnectionCaps.Refused refused -> {
                boolean gateway = refused == ConnectionCaps.Refused.GATEWAY_FULL;
                metrics.refused(gateway ? LimitMetrics.Limit.GATEWAY_CONNECTIONS
                        : LimitMetrics.Limit.ADDRESS_CONNECTIONS);
                res.header(HeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
                res.status(gateway ? Status.SERVICE_UNAVAILABLE_503 : Status.TOO_MANY_REQUESTS_429)
                        .send(gateway ? "gateway connection limit reached" : "connection limit of this client"
                                + " address reached");
            }
        }
    }

    private InetAddress clientOf(RoutingRequest req) {
        SocketAddress peer = req.remotePeer().address();
        InetAddress peerAddress = peer instanceof InetSocketAddress inet ? inet.getAddress()
                : InetAddress.getLoopbackAddress();
        List<String> forwarded = clients.header()
                .map(h -> req.headers().values(HeaderNames.create(h)))
                .orElse(List.of());
        return clients.resolve(peerAddress, forwarded);
    }
}
