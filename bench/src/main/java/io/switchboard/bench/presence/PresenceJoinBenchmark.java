package io.switchboard.bench.presence;

import io.switchboard.bench.ResultFile;
import io.switchboard.launcher.ClusterSpec;
import io.switchboard.launcher.LocalCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The presence-join benchmark: the same {@link PresenceJoinSpec} with a tenth of the clients, then with all of
 * them, each on a fresh {@link LocalCluster} (one router, the gateways, the presence service, embedded Kafka) in
 * this JVM, the first closed before the second starts. The clients run in child JVMs ({@link PresenceClients}) so
 * that the two ends of each connection count against different processes' open-file limits. Prints and writes one table with, beside the measured
 * traffic, what a naive design (one event per join to every member) would send. Not thread-safe.
 */
public final class PresenceJoinBenchmark {
    // Only for this local cluster and its child JVMs, which sign their own tokens with it.
    static final String SECRET = "switchboard-bench-hs256-secret-0123456789";

    private final PresenceJoinSpec spec;
    private final PrintStream log;

    public PresenceJoinBenchmark(PresenceJoinSpec spec, PrintStream log) {
        this.spec = Objects.requireNonNull(spec, "spec");
        if (spec.clients() < 10) {
            // The small size is a tenth of it.
            throw new IllegalArgumentException("clients: " + spec.clients() + " (expected: >= 10)");
        }
        this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * Fails before starting anything when this process may not open enough files: the gateway end of every
     * connection is here (the client ends are in child JVMs, which inherit the limit and hold fewer each).
     */
    public static void checkFileDescriptors(PresenceJoinSpec spec) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long max = os.getMaxFileDescriptorCount();
            if (max < spec.serverFileDescriptorsNeeded()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "clients: %d (expected: at most %d with ulimit -n %d; the servers hold one end of every"
                                + " connection and need about %d + %d file descriptors: raise ulimit -n or lower"
                                + " --clients)", spec.clients(), max - PresenceJoinSpec.FD_HEADROOM, max,
                        spec.clients(), PresenceJoinSpec.FD_HEADROOM));
            }
        }
    }

    /** Runs the small then the large size, prints the table and writes it (Markdown) to {@code out}. */
    public List<PresenceJoinResult> run(Path out) throws IOException {
        checkFileDescriptors(spec);
        log.println(describe());
        List<PresenceJoinResult> results = new ArrayList<>();
        for (PresenceJoinSpec size : List.of(spec.withClients(spec.clients() / 10), spec)) {
            log.printf("%d clients: starting 1 router, %d gateway(s), presence, embedded Kafka; %d client JVM(s)%n",
                    size.clients(), size.gateways(), size.clientProcesses());
            ClusterSpec builder = LocalCluster.builder().presence(true).routers(1).gateways(size.gateways())
                    .set("gateway.auth.hs256-secret", SECRET);
            try (LocalCluster cluster = builder.build().start()) {
                PresenceJoinResult r = new PresenceJoinRun(cluster, size, log).run();
                log.printf(Locale.ROOT, "  %d clients: consistent after %.1f ms (%d by event, %d by page, %d never),"
                                + " %.1f presence frames per client (max %d)%n", r.clients(), r.consistentMs(),
                        r.consistentByEvent(), r.consistentByPage(), r.inconsistent(), r.framesMean(), r.framesMax());
                r.problems().forEach(p -> log.println("    " + p));
                results.add(r);
            }
        }
        String table = markdown(results);
        ResultFile.publish(table, out, ResultFile.markdown("Presence-join benchmark", describe(), table), log);
        return results;
    }

    /** Two Markdown tables: time to consistency, then traffic beside the naive design's. */
    static String markdown(List<PresenceJoinResult> results) {
        return ResultFile.table("| clients | client JVMs | connect s | server heap MiB | client heap MiB"
                        + " | all subscribed ms | consistent ms | by event | by page | never | errors |\n"
                        + "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n", results,
                "| %d | %d | %.1f | %d | %d | %.1f | %.1f | %d | %d | %d | %d |%n",
                r -> new Object[] {r.clients(), r.clientProcesses(), r.connectMs() / 1000, r.serverHeapMiB(),
                    r.clientHeapMiB(), r.allSubscribedMs(), r.consistentMs(), r.consistentByEvent(),
                    r.consistentByPage(), r.inconsistent(), r.errors()})
                + ResultFile.table("\n| clients | frames/client mean | max | bytes/client mean | max | frames total"
                        + " | summaries | naive frames/client | naive bytes/client | naive frames total |\n"
                        + "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n", results,
                "| %d | %.1f | %d | %.0f | %d | %d | %d | %d | %d | %d |%n",
                r -> new Object[] {r.clients(), r.framesMean(), r.framesMax(), r.bytesMean(), r.bytesMax(),
                    r.totalFrames(), r.summaryFrames(), r.naiveFramesPerClient(), r.naiveBytesPerClient(),
                    r.naiveTotalFrames()});
    }

    /** One paragraph on the workload and the machine. */
    String describe() {
        Runtime rt = Runtime.getRuntime();
        long fds = ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean os ? os.getMaxFileDescriptorCount() : -1;
        return String.format(Locale.ROOT,
                "Workload: %d then %d clients (one user each) in %d child JVM(s), connected round-robin to %d"
                        + " gateway(s), then all subscribe to %s with presence=true at once. Machine: %d cores, load"
                        + " average %.2f, JDK %s, server max heap %d MiB, ulimit -n %d (needs about %d here, %d per"
                        + " child).",
                spec.clients() / 10, spec.clients(), spec.clientProcesses(), spec.gateways(), PresenceJoinSpec.ROOM,
                rt.availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.version(), rt.maxMemory() >> 20, fds, spec.serverFileDescriptorsNeeded(),
                spec.clientFileDescriptorsNeeded());
    }
}
