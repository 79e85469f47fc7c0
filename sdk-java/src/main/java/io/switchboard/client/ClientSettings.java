package io.switchboard.client;

import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.random.RandomGenerator;

/** The validated, immutable settings of one client (built by {@link SwitchboardClient.Builder}). */
record ClientSettings(
        URI uri,
        TokenProvider tokenProvider,
        InstantSource clock,
        RandomGenerator random,
        Duration backoffInitial,
        Duration backoffMax,
        Duration connectTimeout,
        Duration publishTimeout,
        Duration requestTimeout,
        Duration pingInterval,
        Duration httpFallbackCloseWait,
        int offlineQueueMaxMessages,
        long offlineQueueMaxBytes,
        int maxInflightPublishes,
        int dedupCapacity,
        Duration typingRenewInterval,
        Duration typingIdleTimeout,
        int memberListLimit,
        String clientName) {

    ClientSettings {
        Objects.requireNonNull(uri, "url");
        if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme())) {
            throw new IllegalArgumentException("url: " + uri + " (expected: ws:// or wss://)");
        }
        Objects.requireNonNull(tokenProvider, "tokenProvider");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(random, "random");
        positive("backoffInitial", backoffInitial);
        positive("backoffMax", backoffMax);
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw new IllegalArgumentException("backoffMax: " + backoffMax + " (expected: >= backoffInitial " + backoffInitial + ")");
        }
        positive("connectTimeout", connectTimeout);
        positive("publishTimeout", publishTimeout);
        positive("requestTimeout", requestTimeout);
        positive("pingInterval", pingInterval);
        positive("httpFallbackCloseWait", httpFallbackCloseWait);
        atLeastOne("offlineQueueMaxMessages", offlineQueueMaxMessages);
        if (offlineQueueMaxBytes < 1) {
            throw new IllegalArgumentException("offlineQueueMaxBytes: " + offlineQueueMaxBytes + " (expected: >= 1)");
        }
        atLeastOne("maxInflightPublishes", maxInflightPublishes);
        atLeastOne("dedupCapacity", dedupCapacity);
        positive("typingRenewInterval", typingRenewInterval);
        positive("typingIdleTimeout", typingIdleTimeout);
        if (memberListLimit < 1 || memberListLimit > 1000) {
            throw new IllegalArgumentException("memberListLimit: " + memberListLimit + " (expected: 1-1000)");
        }
        Objects.requireNonNull(clientName, "clientName");
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }

    private static void atLeastOne(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
    }
}
