package io.switchboard.gateway.limits;

import static io.switchboard.service.config.ValueType.BYTES;
import static io.switchboard.service.config.ValueType.BYTES_LONG;
import static io.switchboard.service.config.ValueType.DURATION;
import static io.switchboard.service.config.ValueType.INT;
import static io.switchboard.service.config.ValueType.STRING;

import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.config.ValueType;
import java.time.Duration;
import java.util.List;

/**
 * The gateway's edge keys, defined once: the origin allow-list, the client address behind a load balancer, the
 * connection caps, the per-connection rate limits and the handshake limits. Stateless, hence thread-safe.
 */
public final class LimitKeys {
    private static final KeySection.Builder S = KeySection.builder(
            "Gateway edge limits (`gateway.allowed-origins`, `gateway.client-ip.*`, `gateway.limits.*`)");
    private static final ValueType<OriginPolicy.Pattern> ORIGIN = new ValueType<>("origin",
            "an origin such as https://app.example.com or https://*.example.com", OriginPolicy.Pattern::parse,
            OriginPolicy.Pattern::toString);
    private static final ValueType<Cidr> CIDR = new ValueType<>("CIDR", "an address block such as 10.0.0.0/8",
            Cidr::parse, Cidr::toString);

    public static final Key<List<OriginPolicy.Pattern>> ALLOWED_ORIGINS = S.define("gateway.allowed-origins",
                    ValueType.listOf(ORIGIN))
            .unsetMeans("unset (same origin only)")
            .doc("Browser origins allowed to open a WebSocket and to read the HTTP endpoints with CORS: exact origins"
                    + " (`https://app.example.com`, a non-default port written out) and subdomain wildcards"
                    + " (`https://*.example.com` matches `https://a.example.com` and `https://a.b.example.com`, not"
                    + " `https://example.com`). An upgrade with any other `Origin` is refused with HTTP 403 before it"
                    + " happens; requests without `Origin` (non-browser clients) are accepted. Unset: the web"
                    + " server's same-origin rule (the `Origin`'s host and port must equal the `Host` header's; the"
                    + " scheme is not compared) and no CORS headers. See [edge-limits.md](edge-limits.md).");
    public static final Key<String> CLIENT_IP_HEADER = S.define("gateway.client-ip.header", STRING)
            .unsetMeans("unset (the socket peer)")
            .doc("Header a load balancer puts the client address in (`X-Forwarded-For`, `X-Real-IP`), read only when"
                    + " the socket peer is in `gateway.client-ip.trusted-proxies`: the right-most address that is not"
                    + " a trusted proxy is the client. Otherwise, or when the header is missing or malformed, the"
                    + " client is the socket peer. The client address is what `max-connections-per-ip` counts.");
    public static final Key<List<Cidr>> CLIENT_IP_TRUSTED_PROXIES = S.define("gateway.client-ip.trusted-proxies",
                    ValueType.listOf(CIDR)).byDefault(List.of())
            .doc("Address blocks of the load balancers whose `gateway.client-ip.header` is believed (e.g."
                    + " `10.0.0.0/8,fd00::/8`). Empty: the header is never read.");
    public static final Key<Integer> MAX_CONNECTIONS = S.define("gateway.limits.max-connections", INT)
            .byDefault(100_000).check(Check.atLeast(1))
            .doc("Connections one gateway holds at most (upgraded, or asking for an upgrade); beyond: the upgrade is"
                    + " answered HTTP 503. Size it below the process's file-descriptor limit.");
    public static final Key<Integer> MAX_CONNECTIONS_PER_IP = S.define("gateway.limits.max-connections-per-ip", INT)
            .byDefault(0).check(Check.atLeast(0))
            .doc("Connections one client address may hold on one gateway; beyond: the upgrade is answered HTTP 429."
                    + " `0`: no limit (the default, because carrier NAT and office networks put thousands of users"
                    + " behind one address, and without `gateway.client-ip.*` every client of a load balancer"
                    + " shares its address).");
    public static final Key<Integer> MAX_CONNECTIONS_PER_USER = S.define("gateway.limits.max-connections-per-user",
                    INT).byDefault(100).check(Check.atLeast(1))
            .doc("Authenticated connections one user may hold on one gateway; a Connect beyond it is closed 3005"
                    + " `TOO_MANY_CONNECTIONS`.");
    public static final Key<Integer> MAX_CLUSTER_CONNECTIONS_PER_USER = S.define(
                    "gateway.limits.max-cluster-connections-per-user", INT).byDefault(0).check(Check.atLeast(0))
            .doc("Connections one user may hold across all gateways, as the presence service counts them (needs"
                    + " `gateway.presence.address`); a connection that finds the user's other connections at the cap"
                    + " is closed 3005 `TOO_MANY_CONNECTIONS` just after `connected`. Soft: presence hears of"
                    + " connections every `gateway.presence.report-interval`. Fails open: while presence does not"
                    + " answer, connections stay. `0`: no cluster-wide limit.");
    public static final Key<Integer> MESSAGES_PER_SECOND = S.define("gateway.limits.messages-per-second", INT)
            .byDefault(1_000).check(Check.between(1, FrameRateLimiter.MAX_RATE))
            .doc("Frames one connection may send per second after Connect, on average (a token bucket refilled"
                    + " continuously); a frame beyond it and the burst gets Error 103 `RATE_LIMITED` (retriable) and"
                    + " is not processed.");
    public static final Key<Integer> MESSAGE_BURST = S.define("gateway.limits.message-burst", INT)
            .byDefault(2_000).check(Check.atLeast(1))
            .doc("Frames one connection may send at once above `messages-per-second` (the bucket's capacity).");
    public static final Key<Long> BYTES_PER_SECOND = S.define("gateway.limits.bytes-per-second", BYTES_LONG)
            .byDefault(8_388_608L).check(Check.between(1, FrameRateLimiter.MAX_RATE))
            .doc("Frame bytes one connection may send per second after Connect, on average (each frame counted at"
                    + " its protobuf size, also for JSON frames); beyond it and the burst: Error 103"
                    + " `RATE_LIMITED`.");
    public static final Key<Long> BYTE_BURST = S.define("gateway.limits.byte-burst", BYTES_LONG)
            .byDefault(16_777_216L).check(Check.atLeast(1024))
            .doc("Bytes one connection may send at once above `bytes-per-second`. A frame larger than the burst"
                    + " counts as the burst.");
    public static final Key<Integer> RATE_LIMITED_BEFORE_CLOSE = S.define("gateway.limits.rate-limited-before-close",
                    INT).byDefault(100).check(Check.atLeast(1))
            .doc("Frames refused `RATE_LIMITED` that a connection may accumulate (the count drains at this many per"
                    + " 10 s) before it is closed 3004 `RATE_LIMIT_EXCEEDED`: a client that backs off on 103 is never"
                    + " closed, one that keeps sending is.");
    public static final Key<Duration> HANDSHAKE_TIMEOUT = S.define("gateway.limits.handshake-timeout", DURATION)
            .byDefault(Duration.ofSeconds(10)).check(Check.positive())
            .doc("Time a new TCP connection has to deliver a complete HTTP request head (its upgrade); then it is"
                    + " closed. Stops sockets that connect and send nothing, or trickle their headers. After the"
                    + " upgrade, `gateway.connect-timeout` bounds the time to the Connect frame.");
    public static final Key<Integer> MAX_CONNECT_FRAME_BYTES = S.define("gateway.limits.max-connect-frame-bytes",
                    BYTES).byDefault(16_384).check(Check.atLeast(256))
            .doc("Largest Connect frame (it carries the token); beyond: close 1009 before the token is read.");
    public static final Key<Integer> MAX_HEADER_BYTES = S.define("gateway.limits.max-header-bytes", BYTES)
            .byDefault(16_384).check(Check.atLeast(1024))
            .doc("Largest block of HTTP request headers (Helidon's `max-headers-size`) of an upgrade or any other"
                    + " request; beyond: HTTP 400 and the connection closes. The request line has Helidon's own 2 KiB"
                    + " limit.");

    /** The keys of this section, for the gateway's catalogue. */
    public static final KeySection SECTION = S.build();

    private LimitKeys() {
    }
}
