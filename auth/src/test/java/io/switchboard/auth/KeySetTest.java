package io.switchboard.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.testkit.JwksServer;
import io.switchboard.testkit.TestTokens;
import com.nimbusds.jose.jwk.JWKSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key sets from a JWKS URL and a file: rotation, unknown kid, outages, rate limiting. */
class KeySetTest {
    private static final Duration REFRESH = Duration.ofMinutes(10);

    private static KeySet urlKeys(JwksServer server, Duration minRefetch) {
        return KeySet.from(KeySetSettings.of("test.auth", Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(server.url())).withIntervals(REFRESH, minRefetch, Duration.ofSeconds(2)));
    }

    /** A key set read from {@code file}, checked for changes every 50 ms. */
    private static KeySet fileKeySet(Path file) {
        return KeySet.from(KeySetSettings.of("test.auth", Optional.empty(), Optional.empty(), Optional.of(file),
                Optional.empty()).withIntervals(REFRESH, Duration.ofMillis(50), Duration.ofSeconds(1)));
    }

    private static TokenVerifier verifier(KeySet keys) {
        return TokenVerifier.builder(keys).build();
    }

    /** A JWKS server publishing {@code signer}'s key and a key set that reads it from the server's URL. */
    private record UrlKeySet(JwksServer server, KeySet keys) implements AutoCloseable {
        static UrlKeySet serving(TestTokens signer, Duration minRefetch) {
            JwksServer server = JwksServer.start(List.of(signer.publicJwk()));
            try {
                return new UrlKeySet(server, urlKeys(server, minRefetch));
            } catch (RuntimeException | Error e) {
                server.close();
                throw e;
            }
        }

        TokenVerifier verifier() {
            return KeySetTest.verifier(keys);
        }

        /** Closes the key set, then the server (even when closing the key set failed). */
        @Override
        public void close() {
            try {
                keys.close();
            } finally {
                server.close();
            }
        }
    }

    @Test
    void keysRotateThroughTheUrlWithoutARestart() throws Exception {
        TestTokens old = TestTokens.es256("2026-11");
        TestTokens next = TestTokens.ed25519("2026-12");
        try (UrlKeySet served = UrlKeySet.serving(old, Duration.ofMillis(100))) {
            TokenVerifier v = served.verifier();
            assertThat(v.verify(old.token("alice")).subject()).isEqualTo("alice");
            // Rotation, step 1: publish the new key beside the old one; a token naming it makes the set re-read.
            served.server().publish(List.of(old.publicJwk(), next.publicJwk()));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(v.verify(next.token("bob")).keyId()).isEqualTo("2026-12"));
            assertThat(v.verify(old.token("alice")).subject()).isEqualTo("alice");
            // Step 2: retire the old key: once the set is re-read (any unknown kid does it), old tokens are refused.
            served.server().publish(List.of(next.publicJwk()));
            TestTokens stranger = TestTokens.rs256("unknown");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                TokenVerifierTest.assertRejected(v, stranger.token("x"), TokenRejectedException.Reason.INVALID,
                        "no key for this token");
                TokenVerifierTest.assertRejected(v, old.token("alice"), TokenRejectedException.Reason.INVALID,
                        "no key for this token");
            });
            assertThat(v.verify(next.token("bob")).subject()).isEqualTo("bob");
        }
    }

    @Test
    void unknownKidsReReadTheSetAtMostAboutOncePerMinimumInterval() {
        TestTokens known = TestTokens.rs256("k1");
        TestTokens unknown = TestTokens.rs256("k-unknown");
        try (UrlKeySet served = UrlKeySet.serving(known, Duration.ofMinutes(5))) {
            TokenVerifier v = served.verifier();
            assertThat(v.verify(known.token("alice")).subject()).isEqualTo("alice");
            int afterFirstRead = served.server().requests();
            for (int i = 0; i < 50; i++) {
                TokenVerifierTest.assertRejected(v, unknown.token("eve"), TokenRejectedException.Reason.INVALID,
                        "no key for this token");
            }
            // nimbus' limiter lets at most two reads through per interval.
            assertThat(served.server().requests() - afterFirstRead).isBetween(1, 2);
        } catch (TokenRejectedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theLastGoodSetIsKeptWhileTheUrlFails() throws Exception {
        TestTokens signer = TestTokens.ed25519("k1");
        try (UrlKeySet served = UrlKeySet.serving(signer, Duration.ofMillis(50))) {
            TokenVerifier v = served.verifier();
            assertThat(v.verify(signer.token("alice")).subject()).isEqualTo("alice");
            served.server().down(true);
            int before = served.server().requests();
            // An unknown kid forces re-reads that fail; the known key still verifies.
            TestTokens unknown = TestTokens.ed25519("k2");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                TokenVerifierTest.assertRejected(v, unknown.token("eve"), TokenRejectedException.Reason.INVALID,
                        "no key for this token");
                assertThat(served.server().requests()).isGreaterThan(before);
            });
            assertThat(v.verify(signer.token("alice")).subject()).isEqualTo("alice");
        }
    }

    @Test
    void aUrlNeverReadIsReportedAsUnavailableNotAsABadToken() {
        TestTokens signer = TestTokens.es256("k1");
        try (JwksServer server = JwksServer.start(List.of(signer.publicJwk()))) {
            server.down(true);
            try (KeySet keys = urlKeys(server, Duration.ofMillis(50))) {
                TokenVerifierTest.assertRejected(verifier(keys), signer.token("alice"),
                        TokenRejectedException.Reason.KEYS_UNAVAILABLE, "verification keys unavailable");
                server.down(false);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(verifier(keys).verify(signer.token("alice")).subject()).isEqualTo("alice"));
            }
        }
    }

    @Test
    void aKeySetFileIsReReadWhenItChangesAndABrokenFileKeepsTheLastGoodSet(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jwks.json");
        TestTokens first = TestTokens.es256("f1");
        TestTokens second = TestTokens.rs256("f2");
        Files.writeString(file, new JWKSet(first.publicJwk()).toString());
        try (KeySet keys = fileKeySet(file)) {
            TokenVerifier v = verifier(keys);
            assertThat(v.verify(first.token("alice")).subject()).isEqualTo("alice");
            Files.writeString(file, "{ not json");
            TokenVerifierTest.assertRejected(v, second.token("bob"), TokenRejectedException.Reason.INVALID,
                    "no key for this token");
            assertThat(v.verify(first.token("alice")).subject()).isEqualTo("alice");
            Files.writeString(file, new JWKSet(second.publicJwk()).toString());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(v.verify(second.token("bob")).subject()).isEqualTo("bob"));
        }
    }

    @Test
    void aKeyReplacedUnderTheSameKidIsUsedAndTheOldOneRefused(@TempDir Path dir) throws Exception {
        // Verifiers are reused per key: a key rotated under the same kid must get its own, not the old key's.
        Path file = dir.resolve("jwks.json");
        for (boolean edwards : new boolean[] {false, true}) {
            TestTokens old = edwards ? TestTokens.ed25519("same") : TestTokens.es256("same");
            TestTokens next = edwards ? TestTokens.ed25519("same") : TestTokens.es256("same");
            Files.writeString(file, new JWKSet(old.publicJwk()).toString());
            try (KeySet keys = fileKeySet(file)) {
                TokenVerifier v = verifier(keys);
                assertThat(v.verify(old.token("alice")).subject()).isEqualTo("alice");
                assertThat(v.verify(old.token("alice")).subject()).isEqualTo("alice"); // the reused verifier
                TokenVerifierTest.assertRejected(v, next.token("bob"), TokenRejectedException.Reason.INVALID,
                        "bad signature");
                Files.writeString(file, new JWKSet(next.publicJwk()).toString());
                TestTokens stranger = TestTokens.rs256("unknown");
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    // An unknown kid makes the set re-read; then the new key verifies and the old one no longer.
                    TokenVerifierTest.assertRejected(v, stranger.token("x"), TokenRejectedException.Reason.INVALID,
                            "no key for this token");
                    assertThat(v.verify(next.token("bob")).subject()).isEqualTo("bob");
                });
                TokenVerifierTest.assertRejected(v, old.token("alice"), TokenRejectedException.Reason.INVALID,
                        "bad signature");
                assertThat(v.verify(next.token("bob")).subject()).isEqualTo("bob");
            }
        }
    }

    @Test
    void configuredKeysAndAPublishedSetWorkSideBySide() throws Exception {
        String secret = "0123456789abcdef0123456789abcdef";
        TestTokens legacy = TestTokens.hs256(secret);
        TestTokens rotated = TestTokens.es256("new");
        try (JwksServer server = JwksServer.start(List.of(rotated.publicJwk()));
             KeySet keys = KeySet.from(KeySetSettings.of("test.auth", Optional.of(secret), Optional.empty(),
                     Optional.empty(), Optional.of(server.url())))) {
            TokenVerifier v = verifier(keys);
            assertThat(v.verify(legacy.token("old-client")).subject()).isEqualTo("old-client");
            assertThat(v.verify(rotated.token("new-client")).subject()).isEqualTo("new-client");
        }
    }
}
