package io.switchboard.launcher;

import static io.switchboard.service.config.ValueType.BOOLEAN;
import static io.switchboard.service.config.ValueType.INT;
import static io.switchboard.service.config.ValueType.PATH;
import static io.switchboard.service.config.ValueType.STRING;

import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeyCatalogue;
import io.switchboard.service.config.KeySection;
import java.nio.file.Path;

/**
 * The single-process launcher's own keys ({@code launcher.*}), defined once; every tier's keys apply to the tiers it
 * starts as well. Stateless, hence thread-safe.
 */
public final class LauncherKeys {
    private static final KeySection.Builder S = KeySection.builder("Launcher (`launcher.*`)");

    public static final Key<Boolean> DEMO_ENABLED = S.define("launcher.demo.enabled", BOOLEAN).byDefault(true)
            .doc("Serve the demo chat page at `/` and the **development-only** endpoint `POST /demo/token` (form field"
                    + " `user`, 1-32 of `[A-Za-z0-9._-]`; answers `{\"token\": \"...\"}`, a 12-hour HS256 token for"
                    + " that name). Never enable in production: it hands a token to anyone.");
    public static final Key<String> DEMO_ROOMS = S.define("launcher.demo.rooms", STRING).byDefault("lobby,demo:*")
            .check(Check.of(v -> DemoTokenService.patterns(v).size() > 0, "a comma-separated list of room patterns"))
            .doc("The room patterns (comma-separated; an exact room or a prefix ending in `*`) in which a demo token"
                    + " grants every verb. With deny by default, these are the only rooms the demo page can use.");
    public static final Key<Integer> ROUTERS = S.define("launcher.routers", INT).byDefault(1)
            .check(Check.atLeast(1))
            .doc("Routers started in the process (extra ones take free ports).");
    public static final Key<Integer> GATEWAYS = S.define("launcher.gateways", INT).byDefault(1)
            .check(Check.atLeast(1))
            .doc("Gateways started in the process (the first gets `gateway.port`, the others free ports).");
    public static final Key<Boolean> IN_PROCESS_GRPC = S.define("launcher.in-process-grpc", BOOLEAN).byDefault(true)
            .doc("The gateways call the process's routers through grpc-java's in-process transport instead of"
                    + " loopback TCP: the same calls, deadlines, circuit breaker and failover, without HTTP/2 framing,"
                    + " sockets and event loops on the publish path (docs/performance.md, Round 24). `false`: loopback"
                    + " TCP, as separate tiers talk. The other calls between the tiers (history, presence) stay on"
                    + " loopback TCP.");
    public static final Key<Boolean> LOCAL_FEED = S.define("launcher.local-feed", BOOLEAN)
            .unsetMeans("`true` with the embedded broker, `false` with `launcher.kafka.bootstrap-servers`")
            .doc("The routers hand each room record to the process's gateways as soon as Kafka has stored it, so a"
                    + " message reaches its subscribers without a broker fetch per gateway and record"
                    + " (docs/performance.md, Round 26). The gateways' consumers still read the whole log, in batches"
                    + " (`gateway.local-feed.fetch-wait`), and deliver what no router of the process handed over: each"
                    + " message once, in order, either way. Leave it `false` where routers of other processes write to"
                    + " the same topic: their messages would wait for those batches.");
    public static final Key<Boolean> PRESENCE_ENABLED = S.define("launcher.presence.enabled", BOOLEAN)
            .byDefault(true)
            .doc("Run the presence service in the process and point every router and gateway at it: member lists,"
                    + " presence events, statuses and direct messages. `false`: they run with presence disabled"
                    + " (PresenceQuery, SetStatus and direct messages answer `UNAVAILABLE`).");
    public static final Key<Boolean> HISTORY_ENABLED = S.define("launcher.history.enabled", BOOLEAN).byDefault(true)
            .doc("Run the history service in the process (the gateways then resume and page through it).");
    public static final Key<Path> HISTORY_DATA_DIR = S.define("launcher.history.data-dir", PATH)
            .unsetMeans("`history` in the scratch directory")
            .doc("Where the history store lives; kept on exit. With the embedded broker's data in the scratch"
                    + " directory (the default) a kept store is wiped at the next start, because the topic is new.");
    public static final Key<String> KAFKA_BOOTSTRAP_SERVERS = S.define("launcher.kafka.bootstrap-servers", STRING)
            .doc("Use this existing Kafka cluster instead of starting the embedded broker.");
    public static final Key<Integer> KAFKA_PORT = S.define("launcher.kafka.port", INT).byDefault(0)
            .check(Check.port())
            .doc("Client port of the embedded broker; `0` picks a free port (the start-up line and"
                    + " `/launcher/status` show it). Connect your own Kafka tools to it as `127.0.0.1:<port>`.");
    public static final Key<Path> KAFKA_DATA_DIR = S.define("launcher.kafka.data-dir", PATH)
            .unsetMeans("`kafka` in the scratch directory")
            .doc("Where the embedded broker keeps its data; kept on exit and reused by the next start (its topics and"
                    + " messages survive restarts; set `launcher.history.data-dir` too to keep the history store"
                    + " with them).");

    public static final KeySection SECTION = S.build();

    /** The launcher's keys; the tiers read theirs with their own catalogues. */
    public static final KeyCatalogue CATALOGUE = KeyCatalogue.builder("launcher").section(SECTION).build();

    private LauncherKeys() {
    }
}
