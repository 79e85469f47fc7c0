package io.switchboard.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drill results as a machine-readable JSON summary and a Markdown table (the format of docs/chaos-report.md).
 * Thread-safe.
 */
public final class DrillReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final List<DrillResult> results = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();

    /** Notes a fact about the run (machine, load, cluster shape) for both outputs. */
    public synchronized DrillReport environment(String key, String value) {
        environment.put(key, value);
        return this;
    }

    public synchronized void add(DrillResult result) {
        results.add(result);
    }

    public synchronized List<DrillResult> results() {
        return List.copyOf(results);
    }

    /** The JSON summary: {"generated", "environment", "results": [...], "passed"}. */
    public synchronized String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("generated", Instant.now().toString());
        root.put("environment", environment);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (DrillResult r : results) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("scenario", r.scenario());
            row.put("fault", r.fault());
            row.put("passed", r.passed());
            row.put("clients", r.clients());
            row.put("acked", r.acked());
            row.put("deliveries", r.deliveries());
            row.put("lost", r.lost());
            row.put("duplicates", r.duplicates());
            row.put("out_of_order", r.outOfOrder());
            row.put("stored_twice", r.storedTwice());
            row.put("recovery_p50_ms", r.recoveryP50Ms());
            row.put("recovery_p99_ms", r.recoveryP99Ms());
            row.put("recovery_max_ms", r.recoveryMaxMs());
            row.put("not_recovered", r.notRecovered());
            row.put("violations", r.violations());
            rows.add(row);
        }
        root.put("results", rows);
        root.put("passed", results.stream().allMatch(DrillResult::passed));
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Markdown table, one row per drill. */
    public synchronized String markdown() {
        StringBuilder md = new StringBuilder();
        environment.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        if (!environment.isEmpty()) {
            md.append('\n');
        }
        md.append("| Scenario | Fault | Result | Clients | Acked | Delivered | Lost | Duplicates | Out of order | Stored twice | Recovery p50 | Recovery p99 |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (DrillResult r : results) {
            md.append("| ").append(r.scenario()).append(" | ").append(r.fault()).append(" | ")
                    .append(r.passed() ? "pass" : "**FAIL**").append(" | ").append(r.clients()).append(" | ")
                    .append(r.acked()).append(" | ").append(r.deliveries()).append(" | ").append(r.lost()).append(" | ")
                    .append(r.duplicates()).append(" | ").append(r.outOfOrder()).append(" | ").append(r.storedTwice())
                    .append(" | ").append(r.recoveryP50Ms()).append(" ms | ").append(r.recoveryP99Ms()).append(" ms |\n");
        }
        return md.toString();
    }

    /** Writes {@code <base>.json} and {@code <base>.md}. */
    public void write(Path base) {
        try {
            Files.createDirectories(base.toAbsolutePath().getParent());
            Files.writeString(base.resolveSibling(base.getFileName() + ".json"), json());
            Files.writeString(base.resolveSibling(base.getFileName() + ".md"), markdown());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + base, e);
        }
    }
}
