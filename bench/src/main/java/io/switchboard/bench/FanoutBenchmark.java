package io.switchboard.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The fan-out benchmark: the same {@link FanoutSpec} against the baseline first, then against Switchboard, in
 * this JVM, one target at a time, each closed before the next starts. Prints and writes one comparison table.
 * Not thread-safe: one run at a time.
 */
public final class FanoutBenchmark {
    /** Which targets to run. */
    public enum Targets {
        BOTH, SWITCHBOARD, BASELINE;

        boolean baseline() {
            return this != SWITCHBOARD;
        }

        boolean switchboard() {
            return this != BASELINE;
        }
    }

    private final FanoutSpec spec;
    private final Targets targets;
    private final PrintStream log;

    /** A benchmark of {@code spec} on {@code targets}, reporting progress and the table to {@code log}. */
    public FanoutBenchmark(FanoutSpec spec, Targets targets, PrintStream log) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.targets = Objects.requireNonNull(targets, "targets");
        this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * Runs every selected target, prints the table and writes it to {@code out} (JSON if the name ends in
     * {@code .json}, Markdown otherwise); returns the results in run order.
     */
    public List<FanoutResult> run(Path out) throws IOException {
        List<FanoutResult> results = new ArrayList<>();
        log.println(describe());
        if (targets.baseline()) {
            log.println("baseline: starting a bare Helidon WebSocket broadcast server");
            try (BroadcastBaseline server = new BroadcastBaseline().start()) {
                results.add(report(new FanoutRun(new BaselineTarget(server), spec, log).run()));
            }
        }
        if (targets.switchboard()) {
            log.printf("switchboard: starting %d router(s) and %d gateway(s) on an embedded Kafka broker%n",
                    spec.routers(), spec.gateways());
            try (SwitchboardTarget cluster = SwitchboardTarget.start(spec.routers(), spec.gateways())) {
                results.add(report(new FanoutRun(cluster, spec, log).run()));
            }
        }
        String table = ResultTable.markdown(results);
        String text = out.getFileName().toString().endsWith(".json")
                ? ResultTable.json(results)
                : ResultFile.markdown("Fan-out benchmark", describe(), table);
        ResultFile.publish(table, out, text, log);
        return results;
    }

    /** One paragraph on the workload and the machine. */
    String describe() {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT,
                "Workload: %d clients in %d rooms, one publisher per room, %s publishes/s in total with %d-byte"
                        + " payloads and acks, %s warmup then a %s measurement window. Switchboard: %d gateway(s),"
                        + " %d router(s), one embedded Kafka broker. Machine: %d cores, JDK %s, max heap %d MiB.",
                spec.clients(), spec.rooms(), ResultTable.number(spec.rate()), spec.payloadBytes(),
                spec.warmup(), spec.duration(), spec.gateways(), spec.routers(), rt.availableProcessors(),
                Runtime.version(), rt.maxMemory() >> 20);
    }

    private FanoutResult report(FanoutResult r) {
        log.printf(Locale.ROOT, "  %s: %.0f deliveries/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %d missing,"
                        + " %d errors, %d slow-consumer closes, %d other closes%n", r.target(), r.deliveriesPerSecond(),
                r.p50Ms(), r.p99Ms(), r.maxMs(), r.missing(), r.errors(), r.slowConsumerCloses(), r.otherCloses());
        for (String problem : r.problems()) {
            log.println("    " + problem);
        }
        return r;
    }
}
