package io.switchboard.gateway.routing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Router discovery through DNS ({@code gateway.router-dns}): resolves one {@code host:port} name to all its
 * addresses (e.g. a Kubernetes headless Service, one A record per ready router pod) every
 * {@code gateway.router-dns-refresh}, and makes {@code address:port} for each the pool's membership. A lookup
 * that fails or returns nothing keeps the last membership (a DNS hiccup must not drop every router); calls to
 * routers that are really gone fail over and trip their breakers. Every gateway resolving the same records
 * ranks rooms identically, because a router's identity is its {@code ip:port} string.
 *
 * <p>Thread-safe; lookups run on one named daemon thread.
 */
final class DnsRouterDiscovery implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DnsRouterDiscovery.class.getName());

    private final RouterEndpoint name;
    private final Duration refresh;
    private final RouterResolver resolver;
    private final RouterPool pool;
    private final RouterMetrics metrics;
    private final RefreshTimer timer;
    private volatile AutoCloseable schedule;

    DnsRouterDiscovery(RouterEndpoint name, Duration refresh, RouterResolver resolver, RouterPool pool,
                       RouterMetrics metrics, RefreshTimer timer) {
        this.name = name;
        this.refresh = refresh;
        this.resolver = resolver;
        this.pool = pool;
        this.metrics = metrics;
        this.timer = timer;
    }

    /** Resolves once now (the gateway starts even when that fails), then every refresh interval. */
    void start() {
        refresh();
        schedule = timer.every(refresh, this::refresh);
    }

    /** One lookup; updates the pool when it returned addresses. Never throws. */
    private boolean refresh() {
        try {
            List<InetAddress> addresses = resolver.resolve(name.host());
            Set<RouterEndpoint> routers = new LinkedHashSet<>();
            for (InetAddress a : addresses) {
                routers.add(new RouterEndpoint(a.getHostAddress(), name.port()));
            }
            if (routers.isEmpty()) {
                metrics.dnsRefresh(false);
                LOG.warning("gateway.router-dns: " + name + " resolved to no address; keeping " + pool.routers());
                return false;
            }
            pool.update(routers);
            metrics.dnsRefresh(true);
            return true;
        } catch (UnknownHostException e) {
            metrics.dnsRefresh(false);
            LOG.warning("gateway.router-dns: " + name + " does not resolve (" + e.getMessage() + "); keeping "
                    + pool.routers());
            return false;
        } catch (RuntimeException e) {
            // Keep the schedule alive: a failed lookup must not end discovery for good.
            metrics.dnsRefresh(false);
            LOG.log(Level.WARNING, "gateway.router-dns: lookup of " + name + " failed; keeping " + pool.routers(), e);
            return false;
        }
    }

    @Override
    public void close() {
        AutoCloseable s = schedule;
        if (s != null) {
            try {
                s.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "gateway.router-dns: stopping the lookups of " + name + " failed", e);
            }
        }
    }
}
