package io.switchboard.bench.api;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The api-stream workload: {@code messages} publishes per variant with at most {@code window} outstanding,
 * after {@code warmupMessages} unmeasured ones per variant, with {@code subscribers} WebSocket subscribers
 * receiving every message. Immutable.
 *
 * @param target         an existing router's gRPC address (host:port); empty: start a {@code LocalCluster}
 * @param serviceToken   service token with scope "publish" for {@code target}; ignored without a target
 * @param gateway        gateway WebSocket URL for the subscribers of an existing stack
 * @param clientToken    the subscribers' client token for an existing stack
 * @param gateways       gateways of the self-started cluster
 * @param subscribers    WebSocket subscribers (K), spread over the gateways
 * @param messages       measured publishes per variant
 * @param warmupMessages unmeasured publishes per variant before any measurement
 * @param payloadBytes   payload size
 * @param window         outstanding publishes: the stream window and the number of concurrent unary calls
 * @param timeout        how long results and deliveries of one variant may take after its last send
 */
public record ApiStreamSpec(Optional<String> target, String serviceToken, Optional<URI> gateway, String clientToken,
                            int gateways, int subscribers, int messages, int warmupMessages, int payloadBytes,
                            int window, Duration timeout) {
    public ApiStreamSpec {
        check(gateways >= 1, "gateways", gateways, ">= 1");
        check(subscribers >= 0, "subscribers", subscribers, ">= 0");
        check(messages >= 1, "messages", messages, ">= 1");
        check(warmupMessages >= 0, "warmup-messages", warmupMessages, ">= 0");
        check(payloadBytes >= 0, "payload-bytes", payloadBytes, ">= 0");
        check(window >= 1 && window <= 65_536, "window", window, "1-65536");
        check(timeout != null && timeout.isPositive(), "timeout", timeout, "> PT0S");
        check(target.isEmpty() || !serviceToken.isEmpty(), "token", "<empty>", "a service token with --target");
        check(subscribers == 0 || target.isEmpty() || gateway.isPresent(), "gateway", "<none>",
                "a gateway URL with --target and --subscribers > 0");
    }

    private static void check(boolean ok, String name, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
        }
    }
}
