package io.switchboard.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ClientIpResolverTest {
    private static final InetAddress PROXY = ip("10.1.2.3");
    private static final InetAddress STRANGER = ip("203.0.113.7");
    private final ClientIpResolver resolver = new ClientIpResolver(Optional.of("X-Forwarded-For"),
            List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8")));

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByAddress(Cidr.literal(literal));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    @Test
    void theHeaderIsBelievedOnlyFromATrustedProxy() {
        assertThat(resolver.resolve(PROXY, List.of("198.51.100.9"))).isEqualTo(ip("198.51.100.9"));
        assertThat(resolver.resolve(STRANGER, List.of("198.51.100.9"))).as("peer not a proxy").isEqualTo(STRANGER);
        assertThat(resolver.resolve(PROXY, List.of())).as("no header").isEqualTo(PROXY);
    }

    @Test
    void theRightMostAddressThatIsNotAProxyIsTheClient() {
        // The client wrote "1.1.1.1" itself; the load balancer appended what it saw, another proxy appended its own.
        assertThat(resolver.resolve(PROXY, List.of("1.1.1.1, 198.51.100.9, 10.9.9.9"))).isEqualTo(ip("198.51.100.9"));
        assertThat(resolver.resolve(PROXY, List.of("1.1.1.1", "198.51.100.9"))).as("several header lines")
                .isEqualTo(ip("198.51.100.9"));
        assertThat(resolver.resolve(ip("fd00::1"), List.of("2001:db8::5"))).isEqualTo(ip("2001:db8::5"));
    }

    @Test
    void aMalformedHeaderFallsBackToThePeer() {
        assertThat(resolver.resolve(PROXY, List.of("not-an-address"))).isEqualTo(PROXY);
        assertThat(resolver.resolve(PROXY, List.of("999.1.1.1"))).isEqualTo(PROXY);
        assertThat(resolver.resolve(PROXY, List.of("example.com"))).as("names are never resolved").isEqualTo(PROXY);
    }

    @Test
    void withoutTrustedProxiesTheHeaderIsNeverRead() {
        ClientIpResolver noProxies = new ClientIpResolver(Optional.of("X-Forwarded-For"), List.of());
        assertThat(noProxies.header()).isEmpty();
        assertThat(noProxies.resolve(PROXY, List.of("198.51.100.9"))).isEqualTo(PROXY);
    }

    @Test
    void cidrBlocks() {
        assertThat(Cidr.parse("10.0.0.0/8").contains(ip("10.255.0.1"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(ip("11.0.0.1"))).isFalse();
        assertThat(Cidr.parse("192.168.4.0/22").contains(ip("192.168.7.255"))).isTrue();
        assertThat(Cidr.parse("192.168.4.0/22").contains(ip("192.168.8.0"))).isFalse();
        assertThat(Cidr.parse("127.0.0.1").contains(ip("127.0.0.1"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(ip("::ffff:0a00:0001"))).as("mapped IPv4 is IPv4").isTrue();
        assertThat(Cidr.parse("fd00::/8").contains(ip("10.0.0.1"))).isFalse();
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("expected: a prefix 0-32");
        assertThatThrownBy(() -> Cidr.parse("gateway.local/8")).hasMessageContaining("expected: an IP address");
    }
}
