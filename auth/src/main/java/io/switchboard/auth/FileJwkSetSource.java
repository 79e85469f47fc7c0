package io.switchboard.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetParseException;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSetUnavailableException;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a key set file (JWK Set JSON, one JWK or a PEM public key) each time nimbus' cache asks for it; caching,
 * refresh-ahead, rate limiting and keeping the last good set while the file is unreadable are the
 * {@link com.nimbusds.jose.jwk.source.JWKSourceBuilder}'s. Thread-safe (stateless).
 */
final class FileJwkSetSource implements JWKSetSource<SecurityContext> {
    private final Path file;

    FileJwkSetSource(Path file) {
        this.file = file;
    }

    @Override
    public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, SecurityContext context)
            throws KeySourceException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new JWKSetUnavailableException("key set file " + file + " is unreadable: " + e, e);
        }
        try {
            return KeyMaterial.keySet(text);
        } catch (IllegalArgumentException e) {
            throw new JWKSetParseException("key set file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        // nothing held open
    }

    @Override
    public String toString() {
        return "file " + file;
    }
}
