package io.switchboard.launcher;

import io.switchboard.devcerts.DevCertificates;
import io.switchboard.devcerts.PemFiles;
import io.switchboard.gateway.GatewayKeys;
import io.switchboard.history.HistoryKeys;
import io.switchboard.kafka.embedded.ScramListener;
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
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * TLS everywhere for a {@link LocalCluster}, with development certificates of one throw-away authority: mutual TLS
 * on every tier's gRPC port and channels (each tier presents its own certificate) and an SSL listener with client
 * certificates on the embedded broker, which every tier's Kafka clients use, or instead a SASL_SSL listener on which
 * they authenticate with SCRAM-SHA-512. The gateways' WebSocket port is not covered here ({@code gateway.tls.*}).
 * Immutable.
 */
final class ClusterTls {
    /** The parties that get a certificate; {@code kafka-client} is every tier's Kafka client identity. */
    private static final List<String> PARTIES = List.of("kafka", "kafka-client", "router", "presence", "history",
            "gateway");

    /** The SCRAM user of every tier's Kafka clients with {@link #kafkaScramListener()}. */
    static final String SCRAM_USER = "switchboard";

    private final Map<String, PemFiles> files;
    private final String scramPassword;

    private ClusterTls(Map<String, PemFiles> files, String scramPassword) {
        this.files = files;
        this.scramPassword = scramPassword;
    }

    /** Writes a new authority and every party's certificate into {@code directory}. */
    static ClusterTls generate(Path directory) {
        byte[] password = new byte[24];
        new SecureRandom().nextBytes(password);
        return new ClusterTls(DevCertificates.generate(directory, PARTIES),
                Base64.getUrlEncoder().withoutPadding().encodeToString(password));
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

    /**
     * The embedded broker's SASL_SSL listener: server-side TLS with the broker's certificate, the tiers' SCRAM user
     * ({@value #SCRAM_USER}) with a password made for this cluster.
     */
    ScramListener kafkaScramListener() {
        PemFiles kafka = files.get("kafka");
        return new ScramListener(new SslListener(kafka.certificateChain(), kafka.privateKey(), Optional.empty()),
                Map.of(SCRAM_USER, scramPassword));
    }

    /**
     * The Kafka client keys of every tier for the SCRAM listener, as docs/tls.md documents them: SASL_SSL,
     * SCRAM-SHA-512, the user's JAAS line, and the authority's bundle as the truststore file.
     */
    Map<String, String> kafkaScramClientKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String section : List.of("kafka.producer.", "kafka.consumer.")) {
            keys.put(section + "security.protocol", "SASL_SSL");
            keys.put(section + "sasl.mechanism", ScramListener.MECHANISM);
            keys.put(section + "sasl.jaas.config", ScramListener.jaasConfig(SCRAM_USER, scramPassword));
            keys.put(section + "ssl.truststore.type", "PEM");
            keys.put(section + "ssl.truststore.location", files.get("kafka-client").caBundle().toString());
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
