package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TokenManagerTest {
    static String jwt(String user, Instant exp) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(("{\"sub\":\"" + user + "\",\"exp\":" + exp.getEpochSecond() + "}").getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".sig";
    }

    @Test
    void readsExp() {
        Instant exp = Instant.parse("2030-01-01T00:00:00Z");
        assertThat(TokenManager.expiry(jwt("u", exp))).contains(exp);
        assertThat(TokenManager.expiry("not-a-jwt")).isEmpty();
    }

    @Test
    void refreshesAtEightyPercentOfTheLifetimeFromWhenItWasObtained() {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
        AtomicInteger fetches = new AtomicInteger();
        TokenManager tokens = new TokenManager(() -> {
            fetches.incrementAndGet();
            return CompletableFuture.completedFuture(jwt("u", clock.instant().plusSeconds(100)));
        }, clock);
        tokens.accept(tokens.fetch().toCompletableFuture().join());
        assertThat(tokens.untilRefresh()).contains(Duration.ofSeconds(80));
        clock.set(clock.instant().plusSeconds(30));
        assertThat(tokens.untilRefresh()).contains(Duration.ofSeconds(50));
        tokens.current().toCompletableFuture().join();
        assertThat(fetches).hasValue(1); // still cached
        clock.set(clock.instant().plusSeconds(50));
        tokens.current().toCompletableFuture().join();
        assertThat(fetches).hasValue(2); // past the refresh point: fetched again
    }
}
