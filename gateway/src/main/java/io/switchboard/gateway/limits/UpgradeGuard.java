package io.switchboard.gateway.limits;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The connection caps on WebSocket upgrades: an upgrade request to the endpoint's path takes a place under the
 * {@link ConnectionCaps} through the {@link CapGate} (HTTP 503 or 429 when refused) before it is upgraded. The place
 * is given back when the connection's thread ends (Helidon runs each connection, HTTP then WebSocket, on one
 * thread), through the {@code onConnectionEnd} hook (the gateway's transport reaper). Upgrades let in while the
 * gateway is not open to clients (its start-up warm-up's own loopback connections, the only ones admitted then) take
 * no place: they are not clients, and the caps would refuse a warm-up that outpaces the reaper. Thread-safe.
 */
public final class UpgradeGuard implements Filter {
    private final String wsPath;
    private final CapGate gate;
    private final BiConsumer<Thread, Runnable> onConnectionEnd;
    private final BooleanSupplier open;
    // The lease each connection thread holds: one per TCP connection, however many upgrades it asks for.
    private final Map<Thread, ConnectionCaps.Lease> leases = new ConcurrentHashMap<>();

    /**
     * @param gate            takes the places, or answers the refusal
     * @param onConnectionEnd runs the given cleanup once the given connection thread has ended
     * @param open            whether the gateway is open to clients (else only its warm-up's upgrades get here)
     */
    public UpgradeGuard(String wsPath, CapGate gate, BiConsumer<Thread, Runnable> onConnectionEnd,
                        BooleanSupplier open) {
        this.wsPath = wsPath;
        this.gate = gate;
        this.onConnectionEnd = onConnectionEnd;
        this.open = open;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Thread connection = Thread.currentThread();
        if (!req.path().path().equals(wsPath) || !req.headers().contains(HeaderNames.UPGRADE)
                || leases.containsKey(connection) || !open.getAsBoolean()) {
            chain.proceed();
            return;
        }
        gate.admit(req, res).ifPresent(lease -> {
            leases.put(connection, lease);
            onConnectionEnd.accept(connection, () -> {
                leases.remove(connection);
                lease.release();
            });
            chain.proceed();
        });
    }
}
