package io.switchboard.gateway.limits;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Which browser origins may use the gateway ({@code gateway.allowed-origins}): exact origins and subdomain
 * wildcards ({@code https://*.example.com}). Origins are compared normalised: scheme and host in lower case, the
 * scheme's default port left out. An origin that does not parse ({@code null}, an opaque origin, garbage) is never
 * allowed. Immutable and thread-safe.
 */
public final class OriginPolicy {
    private final List<Pattern> patterns;

    private OriginPolicy(List<Pattern> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    /** A policy allowing exactly what {@code patterns} match. */
    public static OriginPolicy of(List<Pattern> patterns) {
        return new OriginPolicy(patterns);
    }

    /** True when the {@code Origin} header value {@code origin} is allowed. */
    public boolean allows(String origin) {
        Optional<Origin> parsed = Origin.parse(origin);
        if (parsed.isEmpty()) {
            return false;
        }
        for (Pattern p : patterns) {
            if (p.matches(parsed.get())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return patterns.toString();
    }

    /** A normalised origin: scheme, host, port (-1 for the scheme's default). */
    record Origin(String scheme, String host, int port) {
        static Optional<Origin> parse(String value) {
            if (value == null || value.isEmpty() || value.length() > 512) {
                return Optional.empty();
            }
            URI uri;
            try {
                uri = new URI(value.strip());
            } catch (URISyntaxException e) {
                return Optional.empty();
            }
            if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null
                    || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                    || uri.getRawFragment() != null) {
                return Optional.empty();
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort() == defaultPort(scheme) ? -1 : uri.getPort();
            return Optional.of(new Origin(scheme, uri.getHost().toLowerCase(Locale.ROOT), port));
        }

        private static int defaultPort(String scheme) {
            return switch (scheme) {
                case "https", "wss" -> 443;
                case "http", "ws" -> 80;
                default -> -1;
            };
        }

        @Override
        public String toString() {
            return scheme + "://" + host + (port < 0 ? "" : ":" + port);
        }
    }

    /**
     * One entry of the allow-list: an exact origin, or {@code scheme://*.domain[:port]} matching every host below
     * {@code domain} (not {@code domain} itself) with that scheme and port.
     */
    public static final class Pattern {
        private static final String WILDCARD = "*.";

        private final Origin origin;
        private final boolean subdomains;

        private Pattern(Origin origin, boolean subdomains) {
            this.origin = origin;
            this.subdomains = subdomains;
        }

        /**
         * Parses one allow-list entry.
         *
         * @throws IllegalArgumentException when it is neither an origin nor a subdomain wildcard
         */
        public static Pattern parse(String text) {
            String s = text.strip();
            int hostStart = s.indexOf("://") + 3;
            boolean subdomains = hostStart > 2 && s.startsWith(WILDCARD, hostStart);
            String concrete = subdomains ? s.substring(0, hostStart) + s.substring(hostStart + WILDCARD.length()) : s;
            Origin o = Origin.parse(concrete).orElseThrow(() -> new IllegalArgumentException(
                    "origin: " + text + " (expected: scheme://host[:port] or scheme://*.domain[:port])"));
            if (subdomains && o.host().indexOf('.') < 0) {
                throw new IllegalArgumentException("origin: " + text + " (expected: a wildcard over a domain with a"
                        + " dot, e.g. https://*.example.com)");
            }
            return new Pattern(o, subdomains);
        }

        boolean matches(Origin candidate) {
            if (!origin.scheme().equals(candidate.scheme()) || origin.port() != candidate.port()) {
                return false;
            }
            if (!subdomains) {
                return origin.host().equals(candidate.host());
            }
            String host = candidate.host();
            return host.length() > origin.host().length() + 1 && host.endsWith("." + origin.host());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Pattern p && p.origin.equals(origin) && p.subdomains == subdomains;
        }

        @Override
        public int hashCode() {
            return Objects.hash(origin, subdomains);
        }

        @Override
        public String toString() {
            return subdomains ? origin.scheme() + "://*." + origin.toString().substring(origin.scheme().length() + 3)
                    : origin.toString();
        }
    }
}
