package io.switchboard.loadgen;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options shared by {@code load} and {@code load compare}: the workloads, their sizes and timing, the
 * generator's processes and the output. Defaults are the reference workload (100 rooms x 50 members,
 * 500 publishes/s, 64-byte payloads). Filled by picocli, then read-only.
 */
final class LoadSettings {
    /** The platform's development secret in the load generator's examples; use --secret for anything else. */
    static final String DEFAULT_SECRET = "switchboard-load-hs256-secret-0123456789";

    @Option(names = "--workload", split = ",", defaultValue = "fanout",
            description = "idle, fanout, max, acks, dashboard (comma-separated for several, run in that order; default: ${DEFAULT-VALUE})")
    List<Workload> workloads;

    @Option(names = "--subprotocol", defaultValue = "json", description = "json or proto (default: ${DEFAULT-VALUE})")
    WireFormat subprotocol;

    @Option(names = "--rooms", defaultValue = "100", description = "fan-out rooms (default: ${DEFAULT-VALUE})")
    int rooms;

    @Option(names = "--members", defaultValue = "50", description = "subscribers per room (default: ${DEFAULT-VALUE})")
    int members;

    @Option(names = "--rate", split = ",", defaultValue = "500",
            description = "fan-out publishes per second, all rooms together; several (comma-separated) run as steps on the same clients (default: ${DEFAULT-VALUE})")
    List<Double> rates;

    @Option(names = "--duration", defaultValue = "PT30S", description = "measurement window (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "PT60S",
            description = "publishing before the first window on a target, reported apart (default: ${DEFAULT-VALUE}: the first minute)")
    Duration warmup;

    @Option(names = "--later-warmup", defaultValue = "PT10S",
            description = "publishing before every later window on the same target (default: ${DEFAULT-VALUE})")
    Duration laterWarmup;

    @Option(names = "--payload-bytes", defaultValue = "64", description = "payload size, at least 16 (default: ${DEFAULT-VALUE})")
    int payloadBytes;

    @Option(names = "--connections", defaultValue = "19000",
            description = "idle: connections, all to the first URL (one gateway) (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--hold", defaultValue = "PT20S", description = "idle: how long to hold them before reading RSS (default: ${DEFAULT-VALUE})")
    Duration hold;

    @Option(names = "--idle-base", defaultValue = "0",
            description = "idle: open this many connections first and hold them, then measure --connections more on top: "
                    + "the RSS slope above the base leaves out what the server allocates once (default: ${DEFAULT-VALUE}: no base)")
    int idleBase;

    @Option(names = "--ack-clients", defaultValue = "500", description = "acks: publishing clients (default: ${DEFAULT-VALUE})")
    int ackClients;

    @Option(names = "--ack-rate", defaultValue = "1", description = "acks: publishes per second per client (default: ${DEFAULT-VALUE})")
    double ackRate;

    @Option(names = "--ack-rooms", defaultValue = "50", description = "acks: rooms they publish into (default: ${DEFAULT-VALUE})")
    int ackRooms;

    @Option(names = "--ack-members", defaultValue = "10", description = "acks: subscribers per room (default: ${DEFAULT-VALUE})")
    int ackMembers;

    @Option(names = "--dashboard-rooms", defaultValue = "20", description = "dashboard: rooms (default: ${DEFAULT-VALUE})")
    int dashboardRooms;

    @Option(names = "--dashboard-members", defaultValue = "50",
            description = "dashboard: subscribers per room (default: ${DEFAULT-VALUE}: 1,000 subscribers with 20 rooms)")
    int dashboardMembers;

    @Option(names = "--dashboard-rate", defaultValue = "50", description = "dashboard: updates per second per room (default: ${DEFAULT-VALUE})")
    double dashboardRate;

    @Option(names = "--dashboard-namespace", defaultValue = "dash",
            description = "dashboard: namespace of the conflated variant's rooms (default: ${DEFAULT-VALUE})")
    String dashboardNamespace;

    @Option(names = "--dashboard-max-rate", defaultValue = "5",
            description = "dashboard: the conflated variant's max-rate; compare starts the platform with "
                    + "gateway.conflation.namespaces.<dashboard-namespace>.max-rate set to it unless --platform-set sets it (default: ${DEFAULT-VALUE})")
    int dashboardMaxRate;

    @Option(names = "--compression", defaultValue = "false",
            description = "every client offers permessage-deflate (RFC 7692) on its upgrade, as browsers do, and bytes on"
                    + " the wire count the compressed frames; compare starts the platform with gateway.compression.enabled"
                    + " unless --platform-set sets it; the dashboard workload runs a compressed variant either way"
                    + " (default: ${DEFAULT-VALUE})")
    boolean compression;

    @Option(names = "--max-start", defaultValue = "200", description = "max: first step's publishes/s (default: ${DEFAULT-VALUE})")
    double maxStart;

    @Option(names = "--max-step", defaultValue = "100", description = "max: publishes/s added per step (default: ${DEFAULT-VALUE})")
    double maxStep;

    @Option(names = "--max-limit", defaultValue = "3000", description = "max: stop at this publishes/s (default: ${DEFAULT-VALUE})")
    double maxLimit;

    @Option(names = "--max-p99", defaultValue = "100", description = "max: a step passes with p99 <= this many ms (default: ${DEFAULT-VALUE})")
    double maxP99Millis;

    @Option(names = "--step-duration", defaultValue = "PT20S", description = "max: window of each step (default: ${DEFAULT-VALUE})")
    Duration stepDuration;

    @Option(names = "--drain-timeout", defaultValue = "PT10S", description = "wait this long after a window for late deliveries (default: ${DEFAULT-VALUE})")
    Duration drainTimeout;

    @Option(names = "--processes", defaultValue = "2",
            description = "worker JVMs holding the clients; raised so none holds more than 15000 (default: ${DEFAULT-VALUE})")
    int processes;

    @Option(names = "--io-threads", defaultValue = "1", description = "Netty event-loop threads per worker (default: ${DEFAULT-VALUE})")
    int ioThreads;

    @Option(names = "--source-addresses", defaultValue = "64",
            description = "loopback source addresses (127.1.0.1 onwards) the clients spread over; 1 = 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int sourceAddresses;

    @Option(names = "--connect-window", defaultValue = "200", description = "handshakes in flight per worker (default: ${DEFAULT-VALUE})")
    int connectWindow;

    @Option(names = "--ca-file", paramLabel = "PEM",
            description = "wss:// URLs: trust the certificate authorities in this PEM file (default: the JVM's trust"
                    + " store), e.g. a local cluster's development CA")
    Path caFile;

    @Option(names = "--secret", defaultValue = DEFAULT_SECRET,
            description = "HS256 secret the tokens are signed with (the gateway's gateway.auth.hs256-secret)")
    String secret;

    @Option(names = "--token-key", paramLabel = "PEM",
            description = "sign the tokens with this PKCS#8 private key instead of --secret: RSA (RS256) or EC"
                    + " (ES256 on P-256), for a gateway that verifies with its public half")
    Path tokenKey;

    @Option(names = "--token-key-id", paramLabel = "KID", description = "the tokens' kid header (default: none)")
    String tokenKeyId;

    @Option(names = "--issuer", description = "the tokens' iss claim, when the gateway sets gateway.auth.issuer")
    String issuer;

    @Option(names = "--audience", description = "the tokens' aud claim, when the gateway sets gateway.auth.audience")
    String audience;

    @Option(names = "--worker-jvm-options", split = " ", defaultValue = "--enable-native-access=ALL-UNNAMED -Xmx768m -XX:+UseSerialGC",
            description = "JVM options of the worker processes (default: ${DEFAULT-VALUE})")
    List<String> workerJvmOptions;

    // C1 only: an idle workload's worker does one burst of handshakes, and C2's compilations of that code took
    // half of its CPU during the burst, on the cores the server shares (performance.md, Round 17).
    @Option(names = "--idle-worker-jvm-options", split = " ", defaultValue = "-XX:TieredStopAtLevel=1",
            description = "added to --worker-jvm-options for the workers of the idle workload; an empty value adds "
                    + "nothing (default: ${DEFAULT-VALUE})")
    List<String> idleWorkerJvmOptions;

    // The workers' own JIT compilations took 0.35-0.6 of a core in the server's first minute (performance.md,
    // Round 19).
    @Option(names = "--worker-warm-up", defaultValue = "250000",
            description = "deliveries each worker decodes from frames of its own before its clients connect, so that "
                    + "its code is compiled before the first minute; 0: none; not for the idle workload "
                    + "(default: ${DEFAULT-VALUE})")
    int workerWarmUp;

    @Option(names = "--out", defaultValue = "loadgen/target/load-results",
            description = "result files: PATH.json and PATH.md (default: ${DEFAULT-VALUE})")
    Path out;

    /** How the clients' tokens are signed: {@code --token-key} when given, else {@code --secret}. */
    TokenSpec tokenSpec() {
        return new TokenSpec(secret, tokenKey == null ? null : tokenKey.toAbsolutePath().toString(), tokenKeyId, issuer,
                audience);
    }

    /** The JVM options of the workers that run {@code workload}. */
    List<String> workerJvmOptionsFor(Workload workload) {
        List<String> options = new ArrayList<>(workerJvmOptions);
        if (workload == Workload.IDLE) {
            idleWorkerJvmOptions.stream().filter(o -> !o.isBlank()).forEach(options::add);
        }
        return List.copyOf(options);
    }

    /** Workers for {@code clients} connections: at least --processes, at most 15,000 connections each. */
    int workersFor(int clients) {
        return Math.max(processes, (clients + 14_999) / 15_000);
    }
}
