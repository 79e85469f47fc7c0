package io.switchboard.gateway.routing;

/**
 * One router's address, {@code host:port}. The string form is also the router's identity in rendezvous hashing,
 * so every gateway must list a router under the same spelling.
 *
 * @param host host name or IP literal (IPv6 in brackets in the string form)
 * @param port TCP port
 */
public record RouterEndpoint(String host, int port) {
    public RouterEndpoint {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("router host: '" + host + "' (expected: non-empty)");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("router port: " + port + " (expected: 1-65535)");
        }
    }

    /**
     * Parses {@code "host:port"} (or {@code "[v6]:port"}).
     *
     * @throws IllegalArgumentException when malformed
     */
    public static RouterEndpoint parse(String spec) {
        String s = spec == null ? "" : spec.strip();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("gateway.routers: '" + spec + "' (expected: host:port)");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new RouterEndpoint(host, Integer.parseInt(s.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("gateway.routers: '" + spec + "' (expected: host:port)", e);
        }
    }

    /** The {@code host:port} form, the router's identity for hashing. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
