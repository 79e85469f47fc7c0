package io.switchboard.gateway.sse;

import static io.switchboard.service.config.ValueType.BOOLEAN;
import static io.switchboard.service.config.ValueType.BYTES;
import static io.switchboard.service.config.ValueType.DURATION;
import static io.switchboard.service.config.ValueType.STRING;

import java.time.Duration;

import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeySection;

/**
 * The gateway's keys of the HTTP fallback transport (Server-Sent Events down, HTTP POST up), defined once. Stateless,
 * hence thread-safe.
 */
public final class SseKeys {
    private static final KeySection.Builder S = KeySection.builder("Gateway HTTP fallback (`gateway.http-fallback.*`)");

    public static final Key<Boolean> ENABLED = S.define("gateway.http-fallback.enabled", BOOLEAN).byDefault(true)
            .doc("Serve the HTTP fallback transport for clients whose network refuses WebSocket upgrades: a"
                    + " Server-Sent Events stream (`GET <path>`) for server frames and `POST <path>/<stream>` for"
                    + " client frames, JSON mapping only (docs/protocol.md section 15). `false`: the paths answer"
                    + " 404.");
    public static final Key<String> PATH = S.define("gateway.http-fallback.path", STRING).byDefault("/sse")
            .check(Check.of(p -> p.startsWith("/") && p.length() > 1 && !p.endsWith("/"),
                    "starts with '/', not just '/', no trailing '/'"))
            .doc("HTTP path of the event stream; client frames are posted to `<path>/<stream id>`.");
    public static final Key<Duration> HEARTBEAT_INTERVAL = S.define("gateway.http-fallback.heartbeat-interval",
                    DURATION).byDefault(Duration.ofSeconds(15)).check(Check.positive())
            .doc("How often a stream gets a comment line (`:`) through its write path, so that proxies do not close"
                    + " a quiet stream and a client that went away is noticed (its writes fail). Below the idle"
                    + " timeout of every proxy on the way (nginx `proxy_read_timeout` is 60 s by default).");
    public static final Key<Integer> MAX_POST_BYTES = S.define("gateway.http-fallback.max-post-bytes", BYTES)
            .byDefault(1_048_576).check(Check.atLeast(1024))
            .doc("Largest POST body (one or more client frames); beyond: HTTP 413 and the stream closes 1009. At"
                    + " least `gateway.limits.max-frame-bytes`, which still bounds each frame in it.");

    /** The keys of this section, for the gateway's catalogue. */
    public static final KeySection SECTION = S.build();

    private SseKeys() {
    }
}
