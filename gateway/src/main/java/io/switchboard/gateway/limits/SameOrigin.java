package io.switchboard.gateway.limits;

import java.util.Locale;
import java.util.Optional;

/**
 * The same-origin rule of the gateway's WebSocket upgrade (Helidon 4.5's default when {@code gateway.allowed-origins}
 * is unset), for requests that Helidon's upgrader does not see (the HTTP fallback's stream and posts): the
 * {@code Origin}'s host and port (the scheme's default port when it names none) must equal the {@code Host} header's
 * host and port (the request's scheme's default when it names none); the scheme is not compared, and an
 * {@code Origin} that is not a URL ({@code null}) never matches. Stateless, hence thread-safe.
 */
final class SameOrigin {
    private SameOrigin() {
    }

    /**
     * @param origin the {@code Origin} header
     * @param host   the {@code Host} header; empty never matches
     * @param secure whether the request came over TLS (the default port of a {@code Host} without one)
     */
    static boolean matches(String origin, Optional<String> host, boolean secure) {
        Optional<OriginPolicy.Origin> parsed = OriginPolicy.Origin.parse(origin);
        if (parsed.isEmpty() || host.isEmpty()) {
            return false;
        }
        OriginPolicy.Origin o = parsed.get();
        int originPort = o.port() >= 0 ? o.port() : defaultPort(o.scheme());
        String h = host.get().strip().toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        String hostName = h;
        int hostPort = secure ? 443 : 80;
        if (colon > 0 && !h.endsWith("]")) {
            hostName = h.substring(0, colon);
            try {
                hostPort = Integer.parseInt(h.substring(colon + 1));
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return hostName.equals(o.host()) && hostPort == originPort;
    }

    private static int defaultPort(String scheme) {
        return switch (scheme) {
            case "https", "wss" -> 443;
            default -> 80;
        };
    }
}
