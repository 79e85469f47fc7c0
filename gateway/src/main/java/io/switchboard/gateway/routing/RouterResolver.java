package io.switchboard.gateway.routing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Resolves a host name to all its addresses (every A/AAAA record), the seam router discovery resolves through.
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface RouterResolver {
    /**
     * All addresses of {@code host}.
     *
     * @throws UnknownHostException when the name does not resolve (e.g. a headless Service with no ready pod)
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /**
     * The JVM's resolver ({@link InetAddress#getAllByName}). Mind its cache: {@code networkaddress.cache.ttl}
     * (30 s by default without a security manager) bounds how fast new routers are seen.
     */
    static RouterResolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
