package io.switchboard.service.tls;

import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.Settings;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the PEM file a key names, failing in the one message shape when it cannot be read. Stateless. */
final class TlsFiles {
    /** The check of every PEM file key: a file that can be read when the configuration is built. */
    static final Check<Path> READABLE = Check.of(path -> Files.isReadable(path) && !Files.isDirectory(path),
            "a readable PEM file");

    private TlsFiles() {
    }

    /**
     * The readable file {@code key} names (it must be set), checked again when the credentials are built: a file
     * removed since the configuration was read fails here.
     *
     * @throws IllegalArgumentException {@code "<key>: <path> (expected: a readable PEM file)"}
     */
    static File readable(Settings settings, Key<Path> key) {
        Path path = settings.get(key);
        if (!Files.isReadable(path) || Files.isDirectory(path)) {
            throw new IllegalArgumentException(key.name() + ": " + path + " (expected: a readable PEM file)");
        }
        return path.toFile();
    }

    /** The message of a file that was readable but not usable, naming the keys. */
    static IllegalArgumentException unusable(String keys, Exception cause) {
        return new IllegalArgumentException(keys + ": " + cause.getMessage()
                + " (expected: PEM certificates and an unencrypted PKCS#8, PKCS#1 or SEC1 private key)", cause);
    }
}
