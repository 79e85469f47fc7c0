package io.switchboard.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.FanOutScenario;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The network fuzz test: a gateway (its own JVM, with a router, the presence service and Kafka) gets
 * {@code switchboard.fuzz.frames} mutated frames (100,000 by default; {@code -Dswitchboard.fuzz.frames=1000000} for a
 * longer run, {@code -Dswitchboard.fuzz.seed=N} to replay one) on both subprotocols, while ordinary clients chat.
 * Well-formed frames with hostile values go over long-lived connections, many in flight at once; frames that may end
 * their connection (malformed, truncated, nested, over the limit, the wrong kind) each get a fresh one.
 *
 * <p>It asserts what the issue promises: every frame gets the answer the protocol documents (the code table of
 * docs/protocol.md is the oracle: a code outside it fails), no process dies, the gateway still accepts and serves
 * new clients, no thread deadlocks, its heap stays bounded, and every chatting client receives every acknowledged
 * message exactly once, in order; and once every client has gone, the gateway counts no connection. It prints how
 * many frames of each kind it sent and how each was answered, and the gateway's own count of its closes and refusals.
 */
class NetworkFuzzTest {
    private static final String SECRET = "network-fuzz-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final int MAX_FRAME_BYTES = 131_072;
    /** Long-lived connections per subprotocol sending well-formed frames. */
    private static final int REQUEST_CONNECTIONS = 4;
    /** Threads opening a connection per frame that may end it. */
    private static final int HOSTILE_THREADS = 4;
    /** One frame in this many may end its connection (the rest go over long-lived ones). */
    private static final int HOSTILE_ONE_IN = 12;
    /** What the gateway may keep after the run (caches, buffers, metric series): far less than a leak per frame. */
    private static final long MAX_HEAP_GROWTH = 48L << 20;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AutoClose
    private static ProcessCluster cluster;

    @BeforeAll
    static void start() {
        // The test asserts which code answers each bad frame. A close must not turn into an abort (1006) because a
        // starved writer on a loaded machine took longer than the production default to write the close frame.
        cluster = ProcessCluster.start(new ProcessCluster.Options(1, 1, 1, false, true, false, false, SECRET)
                .withGateway("close-timeout", "PT60S"));
    }

    @Test
    void mutatedFramesGetTheirDocumentedAnswersWhileClientsChat() throws Exception {
        int frames = Integer.getInteger("switchboard.fuzz.frames", 100_000);
        long seed = Long.getLong("switchboard.fuzz.seed", System.nanoTime());
        System.out.println("network fuzz: " + frames + " frames, seed " + seed + " (-Dswitchboard.fuzz.seed to replay)");
        URI ws = cluster.webSocketUris().get(0);
        // One user per sending thread (as many users as a busy gateway has), and one user none of them is.
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 2 * REQUEST_CONNECTIONS + HOSTILE_THREADS; i++) {
            tokens.add(TOKENS.token("fuzzer-" + i, FrameMutator.SUBSCRIBE_ROOMS + "*", FrameMutator.PUBLISH_ROOMS + "*"));
        }
        String otherToken = TOKENS.token("other-fuzzer", FrameMutator.PUBLISH_ROOMS + "*");
        Set<String> validTokens = new HashSet<>(tokens);
        validTokens.add(otherToken);
        FrameOracle oracle = FrameOracle.fromDocs(Path.of("..", "docs", "protocol.md"), MAX_FRAME_BYTES, validTokens);
        FuzzTally tally = new FuzzTally();
        HeapWatch heap = new HeapWatch(cluster.gatewayHttp(0));
        long liveBefore = heap.liveAfterFullCollection(cluster.gateways().get(0).pid());
        int hostile = frames / HOSTILE_ONE_IN;
        int requests = frames - hostile;

        AtomicBoolean fuzzing = new AtomicBoolean(true);
        Chat chat = new Chat(ws);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        long started = System.nanoTime();
        try {
            Future<?> chatting = threads.submit(() -> chat.untilDone(fuzzing));
            Future<?> watching = threads.submit(() -> heap.until(fuzzing));
            List<Future<?>> senders = new ArrayList<>();
            int n = 0;
            for (Subprotocol subprotocol : Subprotocol.values()) {
                for (int i = 0; i < REQUEST_CONNECTIONS; i++, n++) {
                    int share = share(requests, 2 * REQUEST_CONNECTIONS, n);
                    String token = tokens.get(n);
                    FrameMutator mutator = new FrameMutator(seed + n, token, otherToken);
                    senders.add(threads.submit(() -> {
                        new RequestFuzzer(ws, subprotocol, token, mutator, oracle, tally).run(share);
                        return null;
                    }));
                }
            }
            for (int i = 0; i < HOSTILE_THREADS; i++, n++) {
                int share = share(hostile, HOSTILE_THREADS, i);
                String token = tokens.get(n);
                FrameMutator mutator = new FrameMutator(seed + n, token, otherToken);
                senders.add(threads.submit(() -> {
                    new HostileFuzzer(ws, token, mutator, oracle, tally, MAX_FRAME_BYTES).run(share);
                    return null;
                }));
            }
            // A bound against a hang, not a timing assertion: 10 minutes per 100,000 frames (a loaded 2-core machine
            // needs about 4).
            long budgetMinutes = 10L * Math.max(1, (frames + 99_999) / 100_000);
            for (Future<?> sender : senders) {
                sender.get(budgetMinutes, TimeUnit.MINUTES);
            }
            long fuzzMillis = (System.nanoTime() - started) / 1_000_000;
            fuzzing.set(false);
            chatting.get(3, TimeUnit.MINUTES);
            watching.get(1, TimeUnit.MINUTES);
            System.out.printf("network fuzz: %d frames in %d ms; %d chat rounds, %d messages acked and delivered to"
                    + " every subscriber; gateway heap peaked at %d MiB of %d MiB%n%s%n", tally.sentCount(), fuzzMillis,
                    chat.rounds.get(), chat.acked.get(), heap.peak.get() >> 20, heap.max.get() >> 20, tally.table());
            System.out.printf("network fuzz: the gateway's own count of what it closed and refused:%n%s%n%s%n",
                    heap.family("gateway_closes_total"), heap.family("gateway_limit_refusals_total"));
        } catch (Throwable t) {
            throw new AssertionError(t.getMessage() + "\n" + tally.table() + "\nservice logs:\n" + cluster.logs(), t);
        } finally {
            fuzzing.set(false);
            threads.shutdownNow();
            threads.awaitTermination(30, TimeUnit.SECONDS);
        }

        assertThat(tally.failures()).as("answers that break the protocol (%d in all)", tally.failureCount()).isEmpty();
        assertThat(tally.sentCount()).isEqualTo(frames);
        assertThat(tally.answeredCount()).as("every frame sent was answered").isEqualTo(frames);
        assertThat(cluster.gateways()).allMatch(ServiceProcess::isAlive);
        assertThat(cluster.routers()).allMatch(ServiceProcess::isAlive);
        assertThat(chat.rounds.get()).as("chat rounds completed during the fuzzing").isPositive();
        // Still serving: a new client connects, subscribes and gets its own message.
        try (WsTestClient client = WsTestClient.connected(ws, Subprotocol.JSON, TOKENS.token("late", "after:fuzz"))) {
            client.subscribeAndWait("after:fuzz", Duration.ofSeconds(30));
            client.publish("after:fuzz", "late-1", "still serving");
            ServerFrame m = client.nextMatching(ServerFrame::hasMessage, Duration.ofSeconds(30));
            assertThat(m.getMessage().getPayload().toStringUtf8()).isEqualTo("still serving");
        }
        assertThat(heap.metric("jvm_threads_deadlocked")).as("deadlocked gateway threads").isZero();
        // No client here holds more than a few connections of one user at once: a refusal 3005 would be the gateway
        // counting connections that have ended.
        assertThat(heap.metric("gateway_limit_refusals_total{limit=\"user_connections\"}"))
                .as("connections refused 3005 (per-user cap)").isZero();
        // Every connection the fuzzing and the chat opened is gone from the gateway again: no session leaks.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(heap.metric("gateway_connections"))
                .as("open connections once every client has gone").isZero());
        // Bounded: the heap never filled, and what survives a collection is a fraction of it.
        assertThat(heap.peak.get()).as("peak heap").isLessThan(heap.max.get() * 9 / 10);
        long liveAfter = heap.liveAfterFullCollection(cluster.gateways().get(0).pid());
        System.out.printf("network fuzz: gateway heap after a full collection: %d MiB before, %d MiB after%n",
                liveBefore >> 20, liveAfter >> 20);
        assertThat(liveAfter - liveBefore).as("heap kept after %d frames (bytes)", frames).isLessThan(MAX_HEAP_GROWTH);
        assertThat(cluster.logs()).doesNotContain("OutOfMemoryError", "StackOverflowError");
    }

    /** Part {@code i} of {@code total} split into {@code parts}. */
    private static int share(int total, int parts, int i) {
        return total / parts + (i < total % parts ? 1 : 0);
    }

    /**
     * Ordinary clients chatting while the fuzzing runs: rounds of the fan-out scenario (subscribers on both
     * subprotocols, acknowledged publishes, every message delivered once and in order) in fresh rooms each round.
     */
    private static final class Chat {
        final URI ws;
        final AtomicInteger rounds = new AtomicInteger();
        final AtomicLong acked = new AtomicLong();

        Chat(URI ws) {
            this.ws = ws;
        }

        void untilDone(AtomicBoolean fuzzing) {
            do {
                int round = rounds.get() + 1;
                acked.addAndGet(new FanOutScenario(List.of(ws), TOKENS)
                        .rooms(List.of("chat" + round + ":a", "chat" + round + ":b", "chat" + round + ":c"))
                        .subscribersPerGateway(4)
                        .messagesPerRoom(20)
                        .timeout(Duration.ofSeconds(60))
                        .run());
                rounds.incrementAndGet();
            } while (fuzzing.get());
        }
    }

    /** The gateway's heap, from its Prometheus endpoint, sampled while the fuzzing runs. */
    private static final class HeapWatch {
        final URI metrics;
        final AtomicLong peak = new AtomicLong();
        final AtomicLong max = new AtomicLong();

        HeapWatch(URI gateway) {
            this.metrics = gateway.resolve("/metrics");
        }

        void until(AtomicBoolean fuzzing) {
            max.set((long) metric("jvm_memory_max_bytes{area=\"heap\"}"));
            while (fuzzing.get()) {
                peak.accumulateAndGet((long) metric("jvm_memory_used_bytes{area=\"heap\"}"), Math::max);
                CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(250, TimeUnit.MILLISECONDS))
                        .join();
            }
        }

        /** Heap in use right after a full collection of the gateway's JVM ({@code jcmd PID GC.run}): its live set. */
        long liveAfterFullCollection(long pid) {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            try {
                Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
                    gc.destroyForcibly();
                    throw new AssertionError("jcmd " + pid + " GC.run failed");
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return (long) metric("jvm_memory_used_bytes{area=\"heap\"}");
        }

        /** The value of one sample, e.g. {@code jvm_threads_deadlocked}. */
        double metric(String sample) {
            for (String line : scrape()) {
                if (line.startsWith(sample + " ")) {
                    return Double.parseDouble(line.substring(sample.length() + 1).trim());
                }
            }
            throw new AssertionError("no sample " + sample + " at " + metrics);
        }

        /** The samples of the metric family {@code name}, one per line, e.g. the gateway's closes by code. */
        String family(String name) {
            return String.join("\n", scrape().stream().filter(l -> l.startsWith(name + "{")).toList());
        }

        private List<String> scrape() {
            try {
                return HTTP.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString()).body().lines().toList();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
