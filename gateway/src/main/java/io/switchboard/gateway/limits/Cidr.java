package io.switchboard.gateway.limits;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address block ({@code 10.0.0.0/8}, {@code fd00::/8}; a bare address is a block of one). Only
 * literal addresses are accepted: parsing never resolves a name. Immutable and thread-safe.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /**
     * Parses {@code address[/prefix]}.
     *
     * @throws IllegalArgumentException when it is not a literal address with a prefix in range
     */
    public static Cidr parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        byte[] address = literal(slash < 0 ? s : s.substring(0, slash));
        if (address == null) {
            throw new IllegalArgumentException("CIDR: " + text + " (expected: an IP address, optionally /prefix)");
        }
        int bits = address.length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? bits : Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("CIDR: " + text + " (expected: a prefix 0-" + bits + ")");
        }
        return new Cidr(address, prefix, s);
    }

    /** True when {@code address} lies in this block (an IPv4 address never lies in an IPv6 block, nor vice versa). */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (a[full] & mask) == (network[full] & mask);
    }

    /** The bytes of a literal IPv4 or IPv6 address, or null when {@code s} is not one (names are not resolved). */
    static byte[] literal(String s) {
        String t = s.strip();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        boolean ipv4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = !ipv4 && t.indexOf(':') >= 0 && t.matches("[0-9A-Fa-f:.%a-zA-Z]+");
        if (ipv4) {
            String[] parts = t.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(parts[i]);
                if (octet > 255) {
                    return null;
                }
                b[i] = (byte) octet;
            }
            return b;
        }
        if (!ipv6) {
            return null;
        }
        try {
            // Literal forms only (checked above), so no lookup happens.
            return InetAddress.getByName(t).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
