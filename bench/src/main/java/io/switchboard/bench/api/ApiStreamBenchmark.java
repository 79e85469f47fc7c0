package io.switchboard.bench.api;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.switchboard.bench.ResultFile;
import io.switchboard.launcher.ClusterSpec;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.api.v1.SwitchboardApiGrpc;
import io.switchboard.proto.api.v1.SwitchboardApiGrpc.SwitchboardApiStub;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The api-stream benchmark: publishes through the public SwitchboardApi with one PublishStream, and as the
 * baseline with unary Publish calls, both with the same number of publishes outstanding, while K WebSocket
 * subscribers receive every message. Without a target it starts its own {@link LocalCluster} (one router with
 * {@code router.api.enabled} and a freshly generated HS256 service secret, the gateways, embedded Kafka) in
 * this JVM. Both variants run against the same cluster, each after an unmeasured warmup, each on its own room.
 * Not thread-safe: one run at a time.
 */
public final class ApiStreamBenchmark {
    private static final String SERVICE = "bench-api";
    private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(15);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ApiStreamSpec spec;
    private final PrintStream log;
    private final Map<String, LongAdder> deliveredByRoom = new ConcurrentHashMap<>();

    public ApiStreamBenchmark(ApiStreamSpec spec, PrintStream log) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** Runs baseline then stream, prints the table and writes it (Markdown) to {@code out}; rows in run order. */
    public List<ApiStreamResult> run(Path out) throws IOException, InterruptedException {
        List<ApiStreamResult> results;
        if (spec.target().isPresent()) {
            log.printf("api-stream against %s%n", spec.target().get());
            results = runAgainst(spec.target().get(), spec.serviceToken(), spec.gateway().stream().toList(),
                    spec.clientToken());
        } else {
            String serviceSecret = secret();
            String clientSecret = secret();
            log.printf("api-stream: starting 1 router (router.api.enabled, generated HS256 service secret), %d"
                    + " gateway(s), embedded Kafka%n", spec.gateways());
            ClusterSpec builder = LocalCluster.builder().presence(false).routers(1).gateways(spec.gateways())
                    .set("router.api.enabled", "true")
                    .set("router.api.auth.hs256-secret", serviceSecret)
                    .set("router.api.stream-window", Integer.toString(spec.window()))
                    // The per-service limit (default 5000/s) would be what both variants measure.
                    .set("router.api.rate-limit.per-second", "1000000")
                    .set("gateway.auth.hs256-secret", clientSecret);
            try (LocalCluster cluster = builder.build().start()) {
                List<URI> gateways = new ArrayList<>();
                for (int i = 0; i < spec.gateways(); i++) {
                    gateways.add(cluster.webSocketUri(i));
                }
                String serviceToken = TestTokens.hs256(serviceSecret).token(SERVICE, c -> c.claim("scope", "publish"));
                results = runAgainst("127.0.0.1:" + cluster.router(0).port(), serviceToken, gateways,
                        TestTokens.hs256(clientSecret).token("bench-subscriber", "bench:*"));
            }
        }
        String table = markdown(results);
        ResultFile.publish(table, out, ResultFile.markdown("API streaming benchmark", describe(), table), log);
        return results;
    }

    private List<ApiStreamResult> runAgainst(String target, String serviceToken, List<URI> gateways, String clientToken)
            throws InterruptedException {
        List<PublishVariant> variants = List.of(PublishVariant.unary(), PublishVariant.stream());
        List<String> rooms = List.of("bench:api-unary", "bench:api-stream");
        String warmupRoom = "bench:api-warmup";
        List<WsTestClient> subscribers = new ArrayList<>();
        ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
        try {
            for (int i = 0; i < spec.subscribers() && !gateways.isEmpty(); i++) {
                WsTestClient client = WsTestClient.connected(gateways.get(i % gateways.size()), Subprotocol.PROTO,
                        clientToken);
                subscribers.add(client);
                for (String room : rooms) {
                    client.subscribeAndWait(room, SUBSCRIBE_TIMEOUT);
                }
                client.subscribeAndWait(warmupRoom, SUBSCRIBE_TIMEOUT);
                client.divert(frame -> {
                    if (frame.hasMessage()) {
                        deliveredByRoom.computeIfAbsent(frame.getMessage().getRoom(), r -> new LongAdder()).increment();
                    }
                });
            }
            log.println(describe());
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + serviceToken);
            SwitchboardApiStub stub = SwitchboardApiGrpc.newStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            ByteString payload = ByteString.copyFrom(new byte[spec.payloadBytes()]);
            String run = Long.toHexString(System.nanoTime());
            if (spec.warmupMessages() > 0) {
                for (PublishVariant v : variants) {
                    PublishVariant.Outcome o = v.publish(stub, warmupRoom, run + "-warm-" + v.label().charAt(0),
                            spec.warmupMessages(), payload, spec.window(), spec.timeout());
                    log.printf(Locale.ROOT, "  warmup %s: %d/%d acked%n", v.label(), o.acked(), spec.warmupMessages());
                }
            }
            List<ApiStreamResult> results = new ArrayList<>();
            for (int i = 0; i < variants.size(); i++) {
                PublishVariant v = variants.get(i);
                String room = rooms.get(i);
                PublishVariant.Outcome o = v.publish(stub, room, run + "-" + i, spec.messages(), payload,
                        spec.window(), spec.timeout());
                long expected = (long) o.acked() * subscribers.size();
                long delivered = awaitDeliveries(room, expected);
                ApiStreamResult r = result(v.label(), o, delivered, expected);
                log.printf(Locale.ROOT, "  %s: %d/%d acked, %.0f msgs/s, ack p50 %.2f ms p99 %.2f ms, delivered %d/%d%n",
                        r.variant(), r.acked(), r.messages(), r.msgsPerSecond(), r.p50Ms(), r.p99Ms(), r.delivered(),
                        r.expected());
                r.error().ifPresent(e -> log.println("    " + e));
                results.add(r);
            }
            return results;
        } finally {
            subscribers.forEach(WsTestClient::close);
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private long awaitDeliveries(String room, long expected) {
        long deadline = System.nanoTime() + spec.timeout().toNanos();
        LongAdder count = deliveredByRoom.computeIfAbsent(room, r -> new LongAdder());
        while (count.sum() < expected && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(POLL_NANOS);
        }
        return count.sum();
    }

    private ApiStreamResult result(String label, PublishVariant.Outcome o, long delivered, long expected) {
        Histogram h = o.ackMicros();
        double perSecond = o.elapsedNanos() == 0 ? 0 : o.acked() * 1e9 / o.elapsedNanos();
        return new ApiStreamResult(label, spec.messages(), o.acked(), o.failed(), perSecond,
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0,
                delivered, expected, o.streamError().map(Object::toString));
    }

    /** A Markdown table, one row per variant. */
    static String markdown(List<ApiStreamResult> results) {
        return ResultFile.table("| variant | messages | acked | failed | msgs/s | ack p50 ms | ack p99 ms"
                        + " | ack max ms | delivered / expected |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|\n", results,
                "| %s | %d | %d | %d | %.0f | %.2f | %.2f | %.2f | %d / %d |%n",
                r -> new Object[] {r.variant(), r.messages(), r.acked(), r.failed(), r.msgsPerSecond(), r.p50Ms(),
                    r.p99Ms(), r.maxMs(), r.delivered(), r.expected()});
    }

    /** One paragraph on the workload and the machine. */
    String describe() {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT,
                "Workload: %d publishes of %d bytes per variant (after %d unmeasured), at most %d outstanding, %d"
                        + " WebSocket subscriber(s). Machine: %d cores, load average %.2f, JDK %s, max heap %d MiB.",
                spec.messages(), spec.payloadBytes(), spec.warmupMessages(), spec.window(), spec.subscribers(),
                rt.availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.version(), rt.maxMemory() >> 20);
    }

    private static String secret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
