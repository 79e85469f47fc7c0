package io.switchboard.bench.authz;

import com.google.protobuf.Duration;
import io.switchboard.bench.PrometheusScrape;
import io.switchboard.bench.ResultFile;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.api.v1.AuthorizeResponse;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestAuthorizer;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * The authz benchmark: how many connections per second connect and subscribe to {@code rooms} rooms when those
 * rooms are granted by a namespace policy (the baseline: no claims, no backend), by the token's {@code rooms}
 * claim, or by the application's backend Authorizer (answers cached, or first asks). One in-process cluster (one
 * gateway, one router, embedded Kafka) and one local gRPC Authorizer that allows everything serve every variant;
 * each round runs every variant once, one after another, so that drift of the machine touches all alike; the
 * first rounds are warmup. A connection is timed from the WebSocket upgrade to its last Subscribed. Not
 * thread-safe: one run at a time.
 */
public final class AuthzBenchmark {
    private static final java.time.Duration ANSWER_WAIT = java.time.Duration.ofSeconds(30);

    /**
     * @param clients       connections per variant and round
     * @param concurrency   connections in progress at once
     * @param rooms         rooms each connection subscribes to (pipelined)
     * @param tokenPatterns patterns in the token variant's rooms claim
     * @param rounds        measured rounds
     * @param warmupRounds  unmeasured rounds first (they also fill the backend cache)
     */
    public record Spec(int clients, int concurrency, int rooms, int tokenPatterns, int rounds, int warmupRounds) {
        public Spec {
            positive("clients", clients);
            positive("concurrency", concurrency);
            positive("rooms", rooms);
            positive("token-patterns", tokenPatterns);
            positive("rounds", rounds);
            positive("warmup-rounds", warmupRounds);
        }

        private static void positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
            }
        }
    }

    private final Spec spec;
    private final PrintStream log;

    public AuthzBenchmark(Spec spec, PrintStream log) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** One variant's rounds so far. */
    private static final class Tally {
        final Histogram micros = new Histogram(3);
        final List<Double> roundRates = new ArrayList<>();
        long connections;
        long failures;
        long nanos;
    }

    /** Runs, prints the table and writes it (Markdown) to {@code out}; one row per variant. */
    public List<AuthzResult> run(Path out) throws IOException, InterruptedException {
        String secret = secret();
        TestTokens tokens = TestTokens.hs256(secret);
        Map<AuthzVariant, Tally> tallies = new EnumMap<>(AuthzVariant.class);
        long authorizeCalls;
        long warmupFailures = 0;
        // The application's Authorizer: allows everything, for ten minutes.
        try (TestAuthorizer authorizer = TestAuthorizer.start(request -> CompletableFuture.completedFuture(
                AuthorizeResponse.newBuilder().setAllow(true).setTtl(Duration.newBuilder().setSeconds(600)).build()));
             LocalCluster cluster = LocalCluster.builder().presence(false).history(false).routers(1).gateways(1)
                     .set("gateway.auth.hs256-secret", secret)
                     .set("gateway.authz.namespaces." + AuthzVariant.POLICY.namespace + ".verbs",
                             String.join(",", TestTokens.ALL_VERBS))
                     .set("gateway.authz.namespaces." + AuthzVariant.BACKEND_CACHED.namespace + ".backend", "true")
                     .set("gateway.authz.namespaces." + AuthzVariant.BACKEND_FIRST_ASK.namespace + ".backend", "true")
                     .set("gateway.authz.backend.address", authorizer.address())
                     .build().start();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            URI gateway = cluster.webSocketUri(0);
            log.printf("authz: %d connections x %d rooms per variant and round, %d at once; %d warmup + %d"
                    + " measured rounds; 1 gateway, 1 router, embedded Kafka%n", spec.clients(), spec.rooms(),
                    spec.concurrency(), spec.warmupRounds(), spec.rounds());
            for (int round = 0; round < spec.warmupRounds() + spec.rounds(); round++) {
                boolean measured = round >= spec.warmupRounds();
                for (AuthzVariant variant : AuthzVariant.values()) {
                    Tally t = measured ? tallies.computeIfAbsent(variant, v -> new Tally()) : new Tally();
                    round(threads, gateway, tokens, variant, round, t);
                    if (!measured) {
                        warmupFailures += t.failures;
                    }
                    log.printf("  round %d%s %-20s %8.0f connections/s%s%n", round + 1, measured ? "" : " (warmup)",
                            variant.label, t.roundRates.getLast(), t.failures > 0 ? ", failures " + t.failures : "");
                }
            }
            authorizeCalls = new PrometheusScrape().sum(cluster.httpUri(0).resolve("/metrics"),
                    "gateway_authz_backend_calls_total", "");
        }
        List<AuthzResult> results = new ArrayList<>();
        tallies.forEach((variant, t) -> results.add(new AuthzResult(variant, t.connections,
                t.connections / (t.nanos / 1e9),
                t.roundRates.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                t.roundRates.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                t.micros.getValueAtPercentile(50) / 1000.0, t.micros.getValueAtPercentile(99) / 1000.0,
                t.failures)));
        long expectedCalls = (long) (spec.warmupRounds() + spec.rounds()) * spec.clients() * spec.rooms()
                + (long) spec.clients() * spec.rooms();
        String table = markdown(results) + String.format(Locale.ROOT, "%nAuthorize calls made by the gateway: %d"
                + " (%d if every ask succeeded: one per first ask, one per room of the cached variant's users in"
                + " their first round; failed asks are not cached and are asked again); failures in warmup rounds:"
                + " %d%n", authorizeCalls, expectedCalls, warmupFailures);
        ResultFile.publish(table, out, table, log);
        return results;
    }

    /** One round of one variant: {@code clients} connections, {@code concurrency} at a time. */
    private void round(ExecutorService threads, URI gateway, TestTokens tokens, AuthzVariant variant, int round,
                       Tally tally) throws InterruptedException {
        List<String> rooms = new ArrayList<>();
        for (int r = 0; r < spec.rooms(); r++) {
            rooms.add(variant.namespace + ":room-" + r);
        }
        List<String> minted = new ArrayList<>(spec.clients());
        for (int i = 0; i < spec.clients(); i++) {
            // First asks need users the gateway has not asked about; every other variant reuses its users.
            String user = variant == AuthzVariant.BACKEND_FIRST_ASK ? variant.namespace + "-r" + round + "-" + i
                    : variant.namespace + "-" + i;
            minted.add(variant == AuthzVariant.TOKEN ? tokens.token(user, TestTokens.rooms(tokenGrants()))
                    : tokens.token(user));
        }
        Semaphore slots = new Semaphore(spec.concurrency());
        LongAdder failures = new LongAdder();
        long start = System.nanoTime();
        for (String token : minted) {
            slots.acquire();
            threads.execute(() -> {
                try {
                    long micros = connectAndSubscribe(gateway, token, rooms);
                    if (micros < 0) {
                        failures.increment();
                    } else {
                        synchronized (tally) {
                            tally.micros.recordValue(micros);
                        }
                    }
                } finally {
                    slots.release();
                }
            });
        }
        slots.acquire(spec.concurrency());
        long nanos = System.nanoTime() - start;
        slots.release(spec.concurrency());
        tally.nanos += nanos;
        tally.connections += spec.clients() - failures.sum();
        tally.failures += failures.sum();
        tally.roundRates.add((spec.clients() - failures.sum()) / (nanos / 1e9));
    }

    /** The token variant's claim: other namespaces first (more specific), the granting pattern last. */
    private Map<String, List<String>> tokenGrants() {
        Map<String, List<String>> grants = new LinkedHashMap<>();
        for (int k = 0; k < spec.tokenPatterns() - 1; k++) {
            grants.put("other-namespace-" + k + ":*", List.of("subscribe", "history"));
        }
        grants.put(AuthzVariant.TOKEN.namespace + ":*", TestTokens.ALL_VERBS);
        return grants;
    }

    /** Connects, subscribes to every room (pipelined) and closes; the microseconds it took, or -1 on a failure. */
    private static long connectAndSubscribe(URI gateway, String token, List<String> rooms) {
        long start = System.nanoTime();
        try (WsTestClient client = WsTestClient.connected(gateway, Subprotocol.PROTO, token)) {
            List<Integer> ids = new ArrayList<>(rooms.size());
            for (String room : rooms) {
                ids.add(client.subscribe(room));
            }
            for (int id : ids) {
                ServerFrame reply = client.nextMatching(f -> (f.hasSubscribed() && f.getSubscribed().getRequestId() == id)
                        || (f.hasError() && f.getError().getRequestId() == id), ANSWER_WAIT);
                if (!reply.hasSubscribed()) {
                    return -1;
                }
            }
            return TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
        } catch (RuntimeException | AssertionError e) {
            return -1;
        }
    }

    static String markdown(List<AuthzResult> results) {
        double baseline = results.isEmpty() ? 0 : results.getFirst().connectionsPerSec();
        return ResultFile.table("| rooms granted by | connections | connect+subscribe/s | slowest-fastest round"
                        + " | p50 ms | p99 ms | failures |\n|---|---|---|---|---|---|---|\n", results,
                "| %s | %d | %.0f (%+.1f %%) | %.0f-%.0f | %.2f | %.2f | %d |%n",
                r -> new Object[] {r.variant().label, r.connections(), r.connectionsPerSec(),
                    baseline == 0 ? 0 : (r.connectionsPerSec() / baseline - 1) * 100, r.slowestRoundRate(),
                    r.fastestRoundRate(), r.p50Millis(), r.p99Millis(), r.failures()});
    }

    private static String secret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
