package io.switchboard.gateway.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The certificate and key files as read at one moment, and a digest of both: what tells a replacement apart from the
 * pair being served, whatever the files' timestamps say (a Kubernetes Secret volume swaps a symlink). Immutable.
 */
record PemFiles(byte[] certificate, byte[] privateKey, String digest) {

    static PemFiles read(TlsSettings settings) throws IOException {
        byte[] certificate = Files.readAllBytes(settings.certificate());
        byte[] key = Files.readAllBytes(settings.privateKey());
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(certificate);
            // A separator, so that moving bytes from one file to the other changes the digest.
            sha.update((byte) 0);
            sha.update(key);
            return new PemFiles(certificate, key, HexFormat.of().formatHex(sha.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
