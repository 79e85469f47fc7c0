package io.switchboard.loadgen;

import java.util.Objects;

/**
 * How the generator's clients' tokens are signed, as the deployment verifies them: with an HS256 secret (the
 * gateway's {@code gateway.auth.hs256-secret}), or with a private key whose public half the gateway holds
 * ({@code gateway.auth.rs256-public-key*} or a JWK Set), then RS256 for an RSA key and ES256 for an EC P-256 key;
 * {@code iss} and {@code aud} when the gateway asks for them. Immutable.
 *
 * @param secret   HS256 secret; used when {@code keyFile} is null
 * @param keyFile  a PEM file with a PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}); null: HS256
 * @param keyId    the tokens' {@code kid} header (a JWK Set names its keys); null: none
 * @param issuer   the tokens' {@code iss} ({@code gateway.auth.issuer}); null: none
 * @param audience the tokens' {@code aud} ({@code gateway.auth.audience}); null: none
 */
public record TokenSpec(String secret, String keyFile, String keyId, String issuer, String audience) {
    public TokenSpec {
        if (keyFile == null) {
            Objects.requireNonNull(secret, "secret");
        }
    }

    /** Tokens signed with the HS256 {@code secret}, no {@code kid}, {@code iss} or {@code aud}. */
    public static TokenSpec hs256(String secret) {
        return new TokenSpec(secret, null, null, null, null);
    }

    /** True when the tokens are signed with a private key rather than the secret. */
    public boolean asymmetric() {
        return keyFile != null;
    }
}
