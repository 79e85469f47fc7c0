package io.switchboard.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.text.ParseException;
import java.time.InstantSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The one token verifier: nimbus' {@link DefaultJWTProcessor} with its {@link DefaultJWTClaimsVerifier}, keys from
 * a {@link KeySet}. Rules, for client tokens and service tokens alike:
 * <ul>
 * <li>the header's {@code alg} must be HS256, RS256, ES256 or EdDSA (Ed25519), and a key of that type must verify
 * the signature; a token cannot pick how it is checked ({@code none} and algorithm confusion are refused);</li>
 * <li>the header's {@code typ}, when present, must be {@code JWT};</li>
 * <li>{@code sub} (non-blank) and {@code exp} are required; {@code exp} and {@code nbf} allow the clock skew
 * either way, read from the injected clock;</li>
 * <li>{@code iss} must equal the configured issuer and {@code aud} contain the configured audience, when
 * configured.</li>
 * </ul>
 * Each key's Java key and verifier are built once and reused for every token it verifies, for as long as the key
 * set holds that key ({@link VerificationKeySelector}, {@link EdDsaVerifierFactory}): nimbus would build a verifier
 * per token. Thread-safe (the processor is configured once and then only read; those two caches are concurrent).
 */
public final class TokenVerifier {
    /** The algorithms a token may be signed with. */
    public static final Set<JWSAlgorithm> ALGORITHMS =
            Set.of(JWSAlgorithm.HS256, JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.EdDSA);
    private static final int MAX_TOKEN_CHARS = 16 * 1024;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    private TokenVerifier(Builder b) {
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
        processor.setJWSKeySelector(new VerificationKeySelector(b.keys));
        processor.setJWSVerifierFactory(new EdDsaVerifierFactory());
        processor.setJWTClaimsSetVerifier(new ClaimsVerifier(b.issuer, b.audience, b.clock, b.clockSkew));
    }

    public static Builder builder(KeySet keys) {
        return new Builder(keys);
    }

    /**
     * Verifies signature and claims.
     *
     * @throws TokenRejectedException saying why, with a reason the tier maps to its code
     */
    public VerifiedToken verify(String token) throws TokenRejectedException {
        if (token == null || token.isBlank()) {
            throw invalid("token is required");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw invalid("token: " + token.length() + " characters (expected: <= " + MAX_TOKEN_CHARS + ")");
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw invalid("token is not a signed JWT");
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (!ALGORITHMS.contains(alg)) {
            throw invalid("algorithm " + alg + " is not accepted (expected: HS256, RS256, ES256 or EdDSA)");
        }
        JOSEObjectType typ = jwt.getHeader().getType();
        if (typ != null && !JOSEObjectType.JWT.equals(typ)) {
            throw invalid("type " + typ + " is not accepted (expected: JWT or none)");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(jwt, null);
        } catch (Expired e) {
            throw new TokenRejectedException(TokenRejectedException.Reason.EXPIRED, "token expired");
        } catch (BadJWTException e) {
            throw invalid(e.getMessage()); // the claims verifier's own messages
        } catch (BadJWSException e) {
            throw invalid("bad signature");
        } catch (BadJOSEException e) {
            throw invalid("no key for this token (kid " + jwt.getHeader().getKeyID() + ", " + alg + ")");
        } catch (KeySourceException e) {
            throw new TokenRejectedException(TokenRejectedException.Reason.KEYS_UNAVAILABLE,
                    "verification keys unavailable", e);
        } catch (com.nimbusds.jose.JOSEException e) {
            throw invalid("signature cannot be verified: " + e.getMessage());
        }
        return new VerifiedToken(claims.getSubject(), claims.getExpirationTime().toInstant(),
                jwt.getHeader().getKeyID(), claims);
    }

    private static TokenRejectedException invalid(String message) {
        return new TokenRejectedException(TokenRejectedException.Reason.INVALID, message);
    }

    /** {@code exp} plus the skew has passed: told apart from other claim failures by type, not by message. */
    private static final class Expired extends BadJWTException {
        private static final long serialVersionUID = 1L;

        Expired() {
            super("token expired");
        }
    }

    /**
     * nimbus' claims verifier on the injected clock. The rules are checked here first so that each failure has a
     * short message of ours (stable for clients and docs); nimbus' own checks then run as a second line.
     */
    private static final class ClaimsVerifier extends DefaultJWTClaimsVerifier<SecurityContext> {
        private final Optional<String> issuer;
        private final Optional<String> audience;
        private final InstantSource clock;
        private final Duration skew;

        ClaimsVerifier(Optional<String> issuer, Optional<String> audience, InstantSource clock, Duration skew) {
            super(audience.map(Set::of).orElse(null),
                    issuer.map(iss -> new JWTClaimsSet.Builder().issuer(iss).build()).orElse(null),
                    new HashSet<>(Set.of("sub", "exp")), null);
            this.issuer = issuer;
            this.audience = audience;
            this.clock = clock;
            this.skew = skew;
            setMaxClockSkew((int) skew.toSeconds());
        }

        @Override
        protected Date currentTime() {
            return Date.from(clock.instant());
        }

        @Override
        public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
            String sub = claims.getSubject();
            if (sub == null || sub.isBlank()) {
                throw new BadJWTException("claim 'sub' is required");
            }
            Date exp = claims.getExpirationTime();
            if (exp == null) {
                throw new BadJWTException("claim 'exp' is required");
            }
            Instant now = clock.instant();
            if (exp.toInstant().plus(skew).isBefore(now)) {
                throw new Expired();
            }
            Date nbf = claims.getNotBeforeTime();
            if (nbf != null && nbf.toInstant().minus(skew).isAfter(now)) {
                throw new BadJWTException("token not yet valid");
            }
            if (issuer.isPresent() && !issuer.get().equals(claims.getIssuer())) {
                throw new BadJWTException("claim 'iss' does not match");
            }
            if (audience.isPresent() && (claims.getAudience() == null
                    || !claims.getAudience().contains(audience.get()))) {
                throw new BadJWTException("claim 'aud' does not match");
            }
            super.verify(claims, context);
        }
    }

    /** Builder; the key set is required. Not thread-safe. */
    public static final class Builder {
        private final KeySet keys;
        private Optional<String> issuer = Optional.empty();
        private Optional<String> audience = Optional.empty();
        private Duration clockSkew = Duration.ofSeconds(30);
        private InstantSource clock = InstantSource.system();

        private Builder(KeySet keys) {
            this.keys = Objects.requireNonNull(keys, "keys");
        }

        /** Tokens must carry this {@code iss}. */
        public Builder issuer(Optional<String> issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /** The token's {@code aud} must contain this value. */
        public Builder audience(Optional<String> audience) {
            this.audience = Objects.requireNonNull(audience, "audience");
            return this;
        }

        /** Tolerance on {@code exp} and {@code nbf}, in whole seconds (PT0S-PT10M). */
        public Builder clockSkew(Duration clockSkew) {
            Objects.requireNonNull(clockSkew, "clockSkew");
            if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("clock-skew: " + clockSkew + " (expected: PT0S-PT10M)");
            }
            this.clockSkew = Duration.ofSeconds(clockSkew.toSeconds());
            return this;
        }

        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public TokenVerifier build() {
            return new TokenVerifier(this);
        }
    }
}
