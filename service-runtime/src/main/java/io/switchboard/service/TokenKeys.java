package io.switchboard.service;

import static io.switchboard.service.config.ValueType.DURATION;
import static io.switchboard.service.config.ValueType.PATH;
import static io.switchboard.service.config.ValueType.STRING;
import static io.switchboard.service.config.ValueType.URL;

import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.config.Rule;
import io.switchboard.service.config.Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The keys that say how a tier verifies tokens, under a prefix: {@code gateway.auth.*} (client tokens) and
 * {@code router.api.auth.*} (service tokens) define the same keys with this class. The auth module turns the values
 * into a key set. Immutable, hence thread-safe.
 */
public final class TokenKeys {
    private final String prefix;
    public final Key<String> hs256Secret;
    public final Key<String> publicKey;
    public final Key<Path> publicKeyFile;
    public final Key<Path> jwksFile;
    public final Key<URI> jwksUrl;
    public final Key<Duration> jwksRefreshInterval;
    public final Key<Duration> jwksMinRefetchInterval;
    public final Key<Duration> jwksTimeout;
    public final Key<String> issuer;
    public final Key<String> audience;
    public final Key<Duration> clockSkew;

    private TokenKeys(KeySection.Builder s, String prefix, String tokens, String unknownKid) {
        this.prefix = prefix;
        String p = prefix + ".";
        hs256Secret = s.define(p + "hs256-secret", STRING).secret().check(Check.minBytes(32))
                .doc("HMAC secret of HS256 " + tokens + " (its UTF-8 bytes, at least 32). A key without `kid`: it"
                        + " verifies every HS256 token. Never logged; pass it through a secret. See"
                        + " [security.md](security.md#key-sets-kid-and-rotation).");
        publicKey = s.define(p + "rs256-public-key", STRING)
                .doc("A public key as PEM text (`-----BEGIN PUBLIC KEY-----`): RSA for RS256 (as the name says), or"
                        + " EC P-256 for ES256, or Ed25519 for EdDSA. A key without `kid`.");
        publicKeyFile = s.define(p + "rs256-public-key-file", PATH)
                .doc("A PEM public key (RSA, EC P-256 or Ed25519) read from this file at startup. A key without"
                        + " `kid`.");
        jwksFile = s.define(p + "jwks-file", PATH)
                .doc("A JWK Set file (`{\"keys\":[...]}`; also one JWK or a PEM key). A token's `kid` must name one"
                        + " of its keys. Re-read in the background every `jwks-refresh-interval`, and at once (rate"
                        + " limited) when a token names an unknown `kid`; an unreadable or unparsable file keeps the"
                        + " last good set.");
        jwksUrl = s.define(p + "jwks-url", URL)
                .doc("An `http`/`https` URL serving a JWK Set (the auth server's `jwks_uri`), fetched like the file:"
                        + " cached, refreshed ahead in the background, re-read on an unknown `kid` at most about once"
                        + " per `jwks-min-refetch-interval`, the last good set kept while the URL fails. Until the"
                        + " first successful fetch, " + unknownKid + ".");
        jwksRefreshInterval = s.define(p + "jwks-refresh-interval", DURATION)
                .byDefault(Duration.ofMinutes(1)).check(Check.positive())
                .doc("How long a read key set (file or URL) is used; it is re-read in the background a quarter of"
                        + " this before it runs out. Must exceed `jwks-min-refetch-interval` and twice"
                        + " `jwks-timeout`.");
        jwksMinRefetchInterval = s.define(p + "jwks-min-refetch-interval", DURATION)
                .byDefault(Duration.ofSeconds(5)).check(Check.positive())
                .doc("Tokens with an unknown `kid` re-read the set at most about once per interval (nimbus' rate"
                        + " limiter lets two reads through per interval); other unknown-kid tokens in between are"
                        + " refused.");
        jwksTimeout = s.define(p + "jwks-timeout", DURATION)
                .byDefault(Duration.ofSeconds(5)).check(Check.positiveAtMost(Duration.ofMillis(Integer.MAX_VALUE)))
                .doc("Connect and read timeout of one fetch of `jwks-url` (bodies above 512 KiB are refused).");
        issuer = s.define(p + "issuer", STRING)
                .doc("When set, " + tokens + " must carry this `iss`.");
        audience = s.define(p + "audience", STRING)
                .doc("When set, the token's `aud` must contain this value.");
        clockSkew = s.define(p + "clock-skew", DURATION)
                .byDefault(Duration.ofSeconds(30)).check(Check.between(Duration.ZERO, Duration.ofMinutes(10)))
                .doc("Tolerance for `exp` and `nbf` (whole seconds).");
    }

    /**
     * Defines the keys under {@code prefix} in {@code section}.
     *
     * @param tokens     what the tokens are called in the docs ({@code client tokens})
     * @param unknownKid what happens to tokens that need the URL's keys before its first fetch
     */
    public static TokenKeys define(KeySection.Builder section, String prefix, String tokens, String unknownKid) {
        return new TokenKeys(section, prefix, tokens, unknownKid);
    }

    /** The prefix, e.g. {@code gateway.auth}. */
    public String prefix() {
        return prefix;
    }

    /** Whether any key source is set. */
    public boolean hasKey(Settings s) {
        return s.find(hs256Secret).isPresent() || s.find(publicKey).isPresent()
                || s.find(publicKeyFile).isPresent() || s.find(jwksFile).isPresent() || s.find(jwksUrl).isPresent();
    }

    /** The rule that a key source is set whenever {@code required} holds ({@code when} says when, for the message). */
    public Rule requireKey(Predicate<Settings> required, String when) {
        return Rule.of(prefix, s -> "no key", s -> !required.test(s) || hasKey(s),
                s -> "hs256-secret, rs256-public-key or rs256-public-key-file, jwks-file and/or jwks-url" + when);
    }

    /**
     * The PEM public key: the inline one, else the file's content.
     *
     * @throws IllegalArgumentException naming the key when the file cannot be read
     */
    public Optional<String> publicKeyPem(Settings s) {
        Optional<String> inline = s.find(publicKey);
        if (inline.isPresent()) {
            return inline;
        }
        return s.find(publicKeyFile).map(file -> {
            try {
                return Files.readString(file, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new IllegalArgumentException(publicKeyFile.name() + ": " + file
                        + " (expected: a readable PEM file)", e);
            }
        });
    }
}
