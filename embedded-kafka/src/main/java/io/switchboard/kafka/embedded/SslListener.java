package io.switchboard.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The certificates of an SSL client listener as PEM files: the broker's chain and unencrypted PKCS#8 key and,
 * optionally, the CA bundle client certificates must chain to (then clients must present one). Kafka reads PEM
 * keys from files only when they are encrypted, so the broker gets the PEM text inline
 * ({@code ssl.keystore.certificate.chain}, {@code ssl.keystore.key}). Immutable.
 *
 * @param certificateChain the broker's certificate, leaf first
 * @param privateKey       its unencrypted PKCS#8 key
 * @param clientTrust      the CA bundle of client certificates; empty: clients need none
 */
public record SslListener(Path certificateChain, Path privateKey, Optional<Path> clientTrust) {
    public SslListener {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(clientTrust, "clientTrust");
    }

    /** The listener's broker properties, each key after {@code prefix} ({@code listener.name.ssl.}). */
    Map<String, String> properties(String prefix) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(prefix + "ssl.keystore.type", "PEM");
        props.put(prefix + "ssl.keystore.certificate.chain", read(certificateChain));
        props.put(prefix + "ssl.keystore.key", read(privateKey));
        clientTrust.ifPresent(ca -> {
            props.put(prefix + "ssl.truststore.type", "PEM");
            props.put(prefix + "ssl.truststore.certificates", read(ca));
            props.put(prefix + "ssl.client.auth", "required");
        });
        return props;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
