package io.switchboard.launcher;

import io.switchboard.devcerts.DevCertificates;
import io.switchboard.devcerts.PemFiles;
import io.switchboard.gateway.GatewayKeys;
import io.switchboard.history.HistoryKeys;
import io.switchboard.kafka.embedded.SslListener;
import io.switchboard.presence.PresenceKeys;
import io.switchboard.router.RouterKeys;
import io.switchboard.service.tls.ClientTlsKeys;
import io.switchboard.service.tls.ServerTlsKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * TLS everywhere for a {@link LocalCluster}, with development certificates of one throw-away authority: mutual TLS
 * on every tier's gRPC port and channels (each tier presents its own certificate) and an SSL listener with client
 * certificates on the embedded broker, which every tier's Kafka clients use. The gateways' WebSocket port is not
 * covered here ({@code gateway.tls.*}). Immutable.
 */
final class ClusterTls {
    /** The parties that get a certificate; {@code kafka-client} is every tier's Kafka client identity. */
    private static final List<String> PARTIES = List.of("kafka", "kafka-client", "router", "presence", "history",
            "gateway");

    private final Map<String, PemFiles> files;

    private ClusterTls(Map<String, PemFiles> files) {
        this.files = files;
    }

    /** Writes a new authority and every party's certificate into {@code directory}. */
    static ClusterTls generate(Path directory) {
        return new ClusterTls(DevCertificates.generate(directory, PARTIES));
    }

    /** The embedded broker's SSL listener: client certificates of the authority required. */
    SslListener kafkaListener() {
        PemFiles kafka = files.get("kafka");
        return new SslListener(kafka.certificateChain(), kafka.privateKey(), Optional.of(kafka.caBundle()));
    }

    /** The tiers' gRPC TLS keys: each tier serves and calls with its own certificate. */
    Map<String, String> grpcKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        server(keys, RouterKeys.GRPC_TLS, files.get("router"));
        server(keys, PresenceKeys.GRPC_TLS, files.get("presence"));
        server(keys, HistoryKeys.GRPC_TLS, files.get("history"));
        client(keys, RouterKeys.GRPC_CLIENT_TLS, files.get("router"));
        client(keys, GatewayKeys.GRPC_CLIENT_TLS, files.get("gateway"));
        return keys;
    }

    /**
     * The Kafka client keys of every tier for the SSL listener: the same under {@code kafka.producer.*} (router,
     * presence) and {@code kafka.consumer.*} (gateway, history), each tier's side clients take them from there.
     * Kafka reads an unencrypted PEM key only inline, so the PEM text is the value.
     */
    Map<String, String> kafkaClientKeys() {
        PemFiles client = files.get("kafka-client");
        Map<String, String> keys = new LinkedHashMap<>();
        for (String section : List.of("kafka.producer.", "kafka.consumer.")) {
            keys.put(section + "security.protocol", "SSL");
            keys.put(section + "ssl.truststore.type", "PEM");
            keys.put(section + "ssl.truststore.certificates", read(client.caBundle()));
            keys.put(section + "ssl.keystore.type", "PEM");
            keys.put(section + "ssl.keystore.certificate.chain", read(client.certificateChain()));
            keys.put(section + "ssl.keystore.key", read(client.privateKey()));
        }
        return keys;
    }

    /** The authority's bundle, for callers from outside the cluster (a backend on the public API). */
    Path caBundle() {
        return files.get("router").caBundle();
    }

    private static void server(Map<String, String> keys, ServerTlsKeys tls, PemFiles party) {
        keys.put(tls.certificate.name(), party.certificateChain().toString());
        keys.put(tls.privateKey.name(), party.privateKey().toString());
        keys.put(tls.trustCertificates.name(), party.caBundle().toString());
    }

    private static void client(Map<String, String> keys, ClientTlsKeys tls, PemFiles party) {
        keys.put(tls.enabled.name(), "true");
        keys.put(tls.trustCertificates.name(), party.caBundle().toString());
        keys.put(tls.certificate.name(), party.certificateChain().toString());
        keys.put(tls.privateKey.name(), party.privateKey().toString());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
