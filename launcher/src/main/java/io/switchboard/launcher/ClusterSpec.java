package io.switchboard.launcher;

import io.helidon.webserver.http.HttpRouting;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.switchboard.gateway.ws.ProtocolOffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a {@link LocalCluster} starts: how many routers and gateways, which optional services, Kafka, and the
 * configuration laid under the run-time keys. Not thread-safe.
 */
public final class ClusterSpec {
    int kafkaNodes = 1;
    String externalBootstrapServers;
    int routers = 1;
    int gateways = 1;
    final ClusterConfigLayers layers = new ClusterConfigLayers();
    Consumer<HttpRouting.Builder> firstGatewayRouting;
    List<ProtocolOffer> additionalProtocols = List.of();
    boolean history;
    boolean presence = true;
    Path historyDataDir;
    int kafkaPort;
    Path kafkaDataDir;
    boolean tls;
    boolean kafkaScram;
    boolean inProcessGrpc = true;
    /** Null: on with the embedded broker, off with an external one. */
    Boolean localFeed;
    SpanExporter spanExporter;

    ClusterSpec() {
    }

    /**
     * Every router and gateway traces, each span handed to {@code exporter} as it ends (tests: the OpenTelemetry
     * SDK's in-memory exporter), whatever the {@code *.tracing.enabled} keys say. Off by default.
     */
    public ClusterSpec spanExporter(SpanExporter exporter) {
        this.spanExporter = Objects.requireNonNull(exporter, "exporter");
        return this;
    }

    /** Client port of the embedded broker (node i gets {@code port + i - 1}); 0, the default, picks a free one. */
    public ClusterSpec kafkaPort(int port) {
        this.kafkaPort = port;
        return this;
    }

    /** Where the embedded broker keeps its data, kept on close (default: the scratch space, deleted on close). */
    public ClusterSpec kafkaDataDir(Path directory) {
        this.kafkaDataDir = Objects.requireNonNull(directory, "directory");
        return this;
    }

    /**
     * TLS everywhere (off by default): development certificates, mutual TLS between the tiers, and the embedded
     * broker's clients over its SSL listener with client certificates. Not the gateways' WebSocket port.
     */
    public ClusterSpec tls(boolean enabled) {
        this.tls = enabled;
        return this;
    }

    /**
     * Whether the gateways call the cluster's routers through grpc-java's in-process transport (on by default, as
     * {@code launcher.in-process-grpc}) instead of loopback TCP. With {@link #tls} they always use TCP, which the
     * TLS settings are about.
     */
    public ClusterSpec inProcessGrpc(boolean enabled) {
        this.inProcessGrpc = enabled;
        return this;
    }

    /**
     * Whether the routers hand each room record they store straight to the gateways of the process ({@code
     * launcher.local-feed}; by default on with the embedded broker, off with {@link #externalKafka}), so that a
     * record reaches the gateways without a fetch per gateway; their consumers then read in batches to catch up on
     * records no router of the process handed over.
     */
    public ClusterSpec localFeed(boolean enabled) {
        this.localFeed = enabled;
        return this;
    }

    /**
     * With {@link #tls}: the tiers authenticate to the embedded broker with SCRAM-SHA-512 over TLS (its SASL_SSL
     * listener) instead of client certificates, each with the keys docs/tls.md documents (off by default).
     */
    public ClusterSpec kafkaScram(boolean enabled) {
        this.kafkaScram = enabled;
        return this;
    }

    /** Also run the history service, which gateways use for resume and paging (off by default). */
    public ClusterSpec history(boolean enabled) {
        this.history = enabled;
        return this;
    }

    /**
     * Also run the presence service (on by default): member lists, presence events and direct messages.
     * Without it gateways and routers run with presence disabled.
     */
    public ClusterSpec presence(boolean enabled) {
        this.presence = enabled;
        return this;
    }

    /** Where the history service keeps its store (default: the scratch space, deleted on close). */
    public ClusterSpec historyDataDir(Path directory) {
        this.historyDataDir = directory;
        return this;
    }

    /** Let environment variables and system properties override the base configuration (off by default). */
    public ClusterSpec environmentOverrides(boolean enabled) {
        layers.environment(enabled);
        return this;
    }

    /** Nodes of the embedded Kafka cluster (default 1). */
    public ClusterSpec kafkaNodes(int nodes) {
        this.kafkaNodes = nodes;
        return this;
    }

    /** Use an existing Kafka cluster instead of an embedded one. */
    public ClusterSpec externalKafka(String bootstrapServers) {
        this.externalBootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        return this;
    }

    /** How many routers (default 1). */
    public ClusterSpec routers(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("routers: " + count + " (expected: >= 1)");
        }
        this.routers = count;
        return this;
    }

    /** How many gateways (default 1). */
    public ClusterSpec gateways(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("gateways: " + count + " (expected: >= 1)");
        }
        this.gateways = count;
        return this;
    }

    /** A configuration key for every service, e.g. {@code gateway.auth.hs256-secret}. */
    public ClusterSpec set(String key, String value) {
        layers.set(key, value);
        return this;
    }

    /** Base configuration (lowest priority), e.g. read from a file by the launcher's main. */
    public ClusterSpec base(Map<String, String> flattened) {
        layers.base(flattened);
        return this;
    }

    /** Extra HTTP routes on the first gateway (the demo page). */
    public ClusterSpec firstGatewayRouting(Consumer<HttpRouting.Builder> routing) {
        this.firstGatewayRouting = routing;
        return this;
    }

    /** Subprotocols every gateway offers next to v1, e.g. a newer protocol version (compatibility tests). */
    public ClusterSpec additionalProtocols(List<ProtocolOffer> offers) {
        this.additionalProtocols = List.copyOf(offers);
        return this;
    }

    /** Builds the (not yet started) cluster. */
    public LocalCluster build() {
        return new LocalCluster(this);
    }
}
