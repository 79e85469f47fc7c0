package io.switchboard.gateway.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;

import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.testkit.TestTokens;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JwtVerifierTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final TestTokens HS = TestTokens.hs256(SECRET);
    private static final TestTokens RS = TestTokens.rs256();
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private static JwtVerifier hs256(Clock clock) {
        return JwtVerifier.builder().hs256Secret(SECRET).clock(clock).clockSkew(Duration.ofSeconds(30)).build();
    }

    private static Clock at(Instant t) {
        return Clock.fixed(t, ZoneOffset.UTC);
    }

    /** A token valid from T0 to T0 + 1h, independent of the wall clock. */
    private static String tokenAtT0(TestTokens tokens, String user) {
        return tokens.token(user, c -> c.issueTime(Date.from(T0)).expirationTime(Date.from(T0.plusSeconds(3600))));
    }

    @Test
    void acceptsAValidHs256Token() throws Exception {
        VerifiedToken t = hs256(at(T0.plusSeconds(60))).verify(tokenAtT0(HS, "alice"));
        assertThat(t.userId()).isEqualTo("alice");
        assertThat(t.expiresAt()).isEqualTo(T0.plusSeconds(3600));
    }

    @Test
    void acceptsAValidRs256TokenWithThePemKey() throws Exception {
        JwtVerifier v = JwtVerifier.builder().rs256PublicKey(PemKeys.rsaPublicKey(RS.publicKeyPem()))
                .clock(at(T0)).build();
        assertThat(v.verify(tokenAtT0(RS, "bob")).userId()).isEqualTo("bob");
    }

    @Test
    void rejectsAForgedSignature() {
        String token = tokenAtT0(HS, "alice");
        String[] parts = token.split("\\.");
        String forgedClaims = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"sub\":\"mallory\",\"exp\":" + (T0.getEpochSecond() + 3600) + "}").getBytes());
        String forged = parts[0] + "." + forgedClaims + "." + parts[2];
        assertRejected(hs256(at(T0)), forged, ErrorCode.INVALID_TOKEN, "bad signature");
    }

    @Test
    void rejectsATokenSignedWithAnotherKey() {
        TestTokens other = TestTokens.hs256("another-secret-another-secret-xx");
        assertRejected(hs256(at(T0)), tokenAtT0(other, "alice"), ErrorCode.INVALID_TOKEN, "bad signature");
        JwtVerifier rs = JwtVerifier.builder().rs256PublicKey(PemKeys.rsaPublicKey(TestTokens.rs256().publicKeyPem()))
                .clock(at(T0)).build();
        assertRejected(rs, tokenAtT0(RS, "alice"), ErrorCode.INVALID_TOKEN, "bad signature");
    }

    @Test
    void rejectsAnAlgorithmWithoutAConfiguredKey() {
        assertRejected(hs256(at(T0)), tokenAtT0(RS, "alice"), ErrorCode.INVALID_TOKEN, "RS256 is not accepted");
    }

    @Test
    void expiryHonoursTheInjectedClockAndSkew() throws Exception {
        String token = tokenAtT0(HS, "alice");
        Instant exp = T0.plusSeconds(3600);
        assertThat(hs256(at(exp.plusSeconds(29))).verify(token).userId()).isEqualTo("alice");
        assertRejected(hs256(at(exp.plusSeconds(31))), token, ErrorCode.TOKEN_EXPIRED, "expired");
    }

    @Test
    void testkitExpiredTokenIsExpiredOnTheSystemClock() {
        assertRejected(hs256(Clock.systemUTC()), HS.expiredToken("alice"), ErrorCode.TOKEN_EXPIRED, "expired");
    }

    @Test
    void requiresSubAndExp() {
        assertRejected(hs256(at(T0)), HS.token("alice", c -> c.subject(null).expirationTime(Date.from(T0.plusSeconds(60)))),
                ErrorCode.INVALID_TOKEN, "'sub' is required");
        assertRejected(hs256(at(T0)), HS.token("alice", c -> c.expirationTime(null)),
                ErrorCode.INVALID_TOKEN, "'exp' is required");
    }

    @Test
    void rejectsTokensNotYetValid() {
        String token = HS.token("alice", c -> c.notBeforeTime(Date.from(T0.plusSeconds(120)))
                .expirationTime(Date.from(T0.plusSeconds(3600))));
        assertRejected(hs256(at(T0)), token, ErrorCode.INVALID_TOKEN, "not yet valid");
    }

    @Test
    void checksIssuerAndAudienceWhenConfigured() throws Exception {
        JwtVerifier v = JwtVerifier.builder().hs256Secret(SECRET).issuer("https://auth").audience("switchboard")
                .clock(at(T0)).build();
        String good = HS.token("alice", c -> c.issuer("https://auth").audience("switchboard")
                .expirationTime(Date.from(T0.plusSeconds(60))));
        assertThat(v.verify(good).userId()).isEqualTo("alice");
        assertRejected(v, HS.token("alice", c -> c.issuer("https://evil").audience("switchboard")
                .expirationTime(Date.from(T0.plusSeconds(60)))), ErrorCode.INVALID_TOKEN, "'iss'");
        assertRejected(v, HS.token("alice", c -> c.issuer("https://auth").audience("other")
                .expirationTime(Date.from(T0.plusSeconds(60)))), ErrorCode.INVALID_TOKEN, "'aud'");
    }

    @Test
    void rejectsGarbage() {
        assertRejected(hs256(at(T0)), "not-a-jwt", ErrorCode.INVALID_TOKEN, "not a signed JWT");
        assertRejected(hs256(at(T0)), "", ErrorCode.INVALID_TOKEN, "required");
        // alg "none"
        String none = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
                + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"sub\":\"a\",\"exp\":" + (T0.getEpochSecond() + 60) + "}").getBytes()) + ".";
        assertRejected(hs256(at(T0)), none, ErrorCode.INVALID_TOKEN, "");
    }

    private static void assertRejected(JwtVerifier v, String token, ErrorCode code, String message) {
        assertThatThrownBy(() -> v.verify(token))
                .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.code()).isEqualTo(code))
                .hasMessageContaining(message);
    }
}
