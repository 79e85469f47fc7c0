package io.switchboard.bench;

import io.switchboard.launcher.ClusterSpec;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.testkit.TestTokens;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The resume-storm benchmark: the same {@link ResumeStormSpec} on Switchboard as configured (history page reads
 * coalesced, {@code gateway.resume.coalesce} true), then on a baseline with coalescing off
 * ({@code gateway.resume.coalesce} false: every resume reads its own pages), each on a fresh {@link LocalCluster} (one router, history enabled) in
 * this JVM, the first closed before the second starts. Prints and writes one comparison table. Not thread-safe.
 */
public final class ResumeStormBenchmark {
    /** A cluster configuration to storm. */
    public enum Variant {
        COALESCED("switchboard (coalesced reads)", "true"),
        UNCOALESCED("baseline (coalescing off)", "false");

        private final String label;
        private final String coalesce;

        Variant(String label, String coalesce) {
            this.label = label;
            this.coalesce = coalesce;
        }

        /** The row name in the table. */
        public String label() {
            return label;
        }
    }

    /** Which variants to run. */
    public enum Only {
        BOTH, COALESCED, UNCOALESCED;

        List<Variant> variants() {
            return switch (this) {
                case BOTH -> List.of(Variant.COALESCED, Variant.UNCOALESCED);
                case COALESCED -> List.of(Variant.COALESCED);
                case UNCOALESCED -> List.of(Variant.UNCOALESCED);
            };
        }
    }

    // Only for this in-process cluster; it never leaves the JVM.
    private static final String SECRET = "switchboard-bench-hs256-secret-0123456789";

    private final ResumeStormSpec spec;
    private final Only only;
    private final PrintStream log;

    /** A benchmark of {@code spec} on the {@code only} variants, reporting progress and the table to {@code log}. */
    public ResumeStormBenchmark(ResumeStormSpec spec, Only only, PrintStream log) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.only = Objects.requireNonNull(only, "only");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** Runs every selected variant, prints the table and writes it (Markdown) to {@code out}; results in run order. */
    public List<ResumeStormResult> run(Path out) throws IOException {
        List<ResumeStormResult> results = new ArrayList<>();
        log.println(describe());
        TestTokens tokens = TestTokens.hs256(SECRET);
        for (Variant variant : only.variants()) {
            log.printf("%s: starting 1 router, %d gateway(s), history, embedded Kafka%n", variant.label(),
                    spec.gateways());
            ClusterSpec builder = LocalCluster.builder().history(true).routers(1).gateways(spec.gateways())
                    .set("gateway.auth.hs256-secret", SECRET)
                    .set("gateway.resume.coalesce", variant.coalesce);
            try (LocalCluster cluster = builder.build().start()) {
                results.add(report(new ResumeStormRun(variant.label(), cluster, spec, tokens, log).run()));
            }
        }
        String table = markdown(results);
        ResultFile.publish(table, out, ResultFile.markdown("Resume-storm benchmark", describe(), table), log);
        return results;
    }

    /** A Markdown table, one row per result. */
    static String markdown(List<ResumeStormResult> results) {
        return ResultFile.table("| target | clients | missed | all live ms | p50 ms | p99 ms | gateway resume reads"
                        + " | history store reads | recovered | live | errors | not recovered | closes | timed out |\n"
                        + "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n", results,
                "| %s | %d | %d | %.1f | %.1f | %.1f | %d | %d | %d | %d | %d | %d | %d | %d |%n",
                r -> new Object[] {r.target(), r.clients(), r.missed(), r.allLiveMs(), r.p50Ms(), r.p99Ms(),
                    r.resumeReads(), r.storeReads(), r.recovered(), r.live(), r.errors(), r.notRecovered(), r.closes(),
                    r.timedOut()});
    }

    /** One paragraph on the workload and the machine. */
    String describe() {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT,
                "Workload: %d clients subscribed to %s on %d gateway(s), all dropped, %d messages published with"
                        + " acks, then all reconnect at once and resume. Machine: %d cores, JDK %s, max heap %d MiB.",
                spec.clients(), ResumeStormSpec.ROOM, spec.gateways(), spec.missed(), rt.availableProcessors(),
                Runtime.version(), rt.maxMemory() >> 20);
    }

    private ResumeStormResult report(ResumeStormResult r) {
        log.printf(Locale.ROOT, "  %s: %d/%d live, all live after %.1f ms, %d gateway resume reads,"
                        + " %d history store reads%n", r.target(), r.live(), r.clients(), r.allLiveMs(),
                r.resumeReads(), r.storeReads());
        for (String problem : r.problems()) {
            log.println("    " + problem);
        }
        return r;
    }
}
