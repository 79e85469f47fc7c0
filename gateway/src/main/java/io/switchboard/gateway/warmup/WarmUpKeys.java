package io.switchboard.gateway.warmup;

import static io.switchboard.service.config.ValueType.DURATION;
import static io.switchboard.service.config.ValueType.INT;

import java.time.Duration;

import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeySection;

/** The start-up warm-up keys ({@code gateway.warm-up.*}), defined once. Stateless, hence thread-safe. */
public final class WarmUpKeys {
    private static final KeySection.Builder S = KeySection.builder("Gateway warm-up (`gateway.warm-up.*`)");

    public static final Key<Integer> MESSAGES = S.define("gateway.warm-up.messages", INT)
            .byDefault(20_000).check(Check.between(0, 1_000_000))
            .doc("Before it reports ready, the gateway publishes this many messages into its reserved probe rooms"
                    + " (`switchboard:probe-<n>`) through a router, Kafka and its own fan-out to a subscriber"
                    + " inside the gateway (both subprotocols, written to no socket), with up to "
                    + PathWarmUp.IN_FLIGHT + " in flight, so that the JIT has compiled the publish and delivery"
                    + " path before clients arrive. The history service stores them like probes. A gateway in a JVM"
                    + " where a warm-up already ran without a failed publish (the launcher's second gateway) sends"
                    + " only "
                    + PathWarmUp.REPEAT_MESSAGES + ". `0`: no warm-up.");
    public static final Key<Integer> CONNECTS = S.define("gateway.warm-up.connects", INT)
            .byDefault(10_000).check(Check.between(0, 100_000))
            .doc("After the messages and before it reports ready, the gateway opens this many WebSocket connections"
                    + " to each of its own WebSocket listeners over loopback (the main port; the Netty listener too"
                    + " when `gateway.netty.port` is set), JSON and binary in turn, up to " + ConnectWarmUp.IN_FLIGHT
                    + " at once, each with a Connect frame whose token it signs with `gateway.auth.hs256-secret`"
                    + " for a user `" + ConnectWarmUp.USER_PREFIX + "<n>`, waits for Connected and closes it, so"
                    + " that the JIT has compiled the connect path (upgrade, WebSocket framing, token check, presence"
                    + " report, close) before clients arrive; then one full garbage collection gives back the heap"
                    + " they grew. Only these connections are admitted before ready:"
                    + " they carry a header with a secret made for this start. Skipped (logged) when the main port"
                    + " serves TLS or no HS256 secret is set. A gateway in a JVM where this warm-up already ran"
                    + " opens only " + ConnectWarmUp.REPEAT_CONNECTS + ". `0`: none.");
    public static final Key<Duration> MAX_DURATION = S.define("gateway.warm-up.max-duration", DURATION)
            .byDefault(Duration.ofSeconds(30)).check(Check.positiveAtMost(Duration.ofMinutes(5)))
            .doc("The longest each part of the warm-up (messages, connects) may delay readiness: what is not done"
                    + " by then is left undone, and a warm-up that fails (no router, Kafka refusing, a refused"
                    + " connection) is logged and the gateway becomes ready all the same.");

    /** The keys of this section, for the gateway's catalogue. */
    public static final KeySection SECTION = S.build();

    private WarmUpKeys() {
    }
}
