package io.switchboard.devcerts;

import java.util.List;
import java.util.Objects;

/**
 * What a leaf certificate is for: its common name, its subject alternative names and whether it serves
 * ({@code serverAuth}), calls ({@code clientAuth}) or both. Immutable.
 *
 * @param commonName  the subject's CN, e.g. {@code router}
 * @param dnsNames    DNS subject alternative names, e.g. {@code localhost}
 * @param ipAddresses IP subject alternative names, e.g. {@code 127.0.0.1}
 * @param usage       the extended key usages
 */
public record LeafSpec(String commonName, List<String> dnsNames, List<String> ipAddresses, Usage usage) {
    /** The extended key usages of a leaf. */
    public enum Usage {
        SERVER(true, false), CLIENT(false, true), SERVER_AND_CLIENT(true, true);

        private final boolean server;
        private final boolean client;

        Usage(boolean server, boolean client) {
            this.server = server;
            this.client = client;
        }

        boolean server() {
            return server;
        }

        boolean client() {
            return client;
        }
    }

    public LeafSpec {
        Objects.requireNonNull(commonName, "commonName");
        dnsNames = List.copyOf(dnsNames);
        ipAddresses = List.copyOf(ipAddresses);
        Objects.requireNonNull(usage, "usage");
    }

    /**
     * A certificate that serves and calls on this machine: SANs {@code localhost} and {@code 127.0.0.1} (what the
     * local cluster's processes dial) and usage for both sides of mutual TLS.
     */
    public static LeafSpec loopback(String commonName) {
        return new LeafSpec(commonName, List.of("localhost"), List.of("127.0.0.1"), Usage.SERVER_AND_CLIENT);
    }
}
