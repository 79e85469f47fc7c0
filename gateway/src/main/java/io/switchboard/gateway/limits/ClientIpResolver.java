package io.switchboard.gateway.limits;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Who the client of a request is: the socket peer, unless the peer is a trusted proxy
 * ({@code gateway.client-ip.trusted-proxies}) and the configured header ({@code gateway.client-ip.header}) names the
 * client. The header is a comma-separated list (as {@code X-Forwarded-For}, each proxy appending the address it
 * saw); read from the right, the first address that is not itself a trusted proxy is the client, so entries a
 * client wrote itself to the left are never believed. A missing or malformed header falls back to the peer.
 * Immutable and thread-safe.
 */
public final class ClientIpResolver {
    private final Optional<String> header;
    private final List<Cidr> trustedProxies;

    public ClientIpResolver(Optional<String> header, List<Cidr> trustedProxies) {
        this.header = header;
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    /** Always the socket peer. */
    public static ClientIpResolver peerOnly() {
        return new ClientIpResolver(Optional.empty(), List.of());
    }

    /**
     * The client address of a request from {@code peer} whose {@code header} values are {@code headerValues} (empty
     * when absent).
     */
    public InetAddress resolve(InetAddress peer, List<String> headerValues) {
        if (header.isEmpty() || headerValues.isEmpty() || !trusted(peer)) {
            return peer;
        }
        // Several header lines read as one list, in order.
        String[] entries = String.join(",", headerValues).split(",");
        for (int i = entries.length - 1; i >= 0; i--) {
            byte[] literal = Cidr.literal(entries[i]);
            if (literal == null) {
                return peer; // malformed: believe nothing of it
            }
            InetAddress address;
            try {
                address = InetAddress.getByAddress(literal);
            } catch (UnknownHostException e) {
                return peer;
            }
            if (!trusted(address)) {
                return address;
            }
        }
        return peer; // every entry is a proxy: the left-most proxy is as close to the client as we know
    }

    /** The configured header's name, when the header may be read at all. */
    public Optional<String> header() {
        return trustedProxies.isEmpty() ? Optional.empty() : header;
    }

    private boolean trusted(InetAddress address) {
        for (Cidr c : trustedProxies) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
