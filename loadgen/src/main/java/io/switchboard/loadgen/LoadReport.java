package io.switchboard.loadgen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything one {@code load} or {@code load compare} run measured, with the machine it ran on: written as
 * {@code PATH.json} and as Markdown tables with every target side by side ({@code PATH.md}). Immutable.
 *
 * @param command    the command line
 * @param started    when the run started (ISO-8601, UTC)
 * @param machine    CPU model, cores, memory, kernel and JVM
 * @param loadAverageAtStart the 1-minute load average when the run started
 * @param targets    per target, its figures
 */
public record LoadReport(String command, String started, String machine, double loadAverageAtStart,
                         List<TargetResult> targets) {
    /** The figures of one target. */
    public record TargetResult(String target, List<StepFigures> steps, List<IdleFigures> idle, List<MaxFigures> max) {
    }

    /** Writes {@code base.json} and {@code base.md}; returns the Markdown. */
    String write(Path base) {
        String markdown = markdown();
        try {
            Path dir = base.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(base.resolveSibling(base.getFileName() + ".json").toFile(), this);
            Files.writeString(base.resolveSibling(base.getFileName() + ".md"), markdown);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + base, e);
        }
        return markdown;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("`").append(command).append("`, started ").append(started).append(", load average ")
                .append(String.format(Locale.ROOT, "%.2f", loadAverageAtStart)).append("; ").append(machine).append("\n\n");
        List<StepFigures> steps = new ArrayList<>();
        List<IdleFigures> idle = new ArrayList<>();
        List<MaxFigures> max = new ArrayList<>();
        for (TargetResult t : targets) {
            steps.addAll(t.steps());
            idle.addAll(t.idle());
            max.addAll(t.max());
        }
        if (!steps.isEmpty()) {
            md.append(ResultTables.steps(steps)).append('\n');
            md.append("Per second of each step (its publishes' intended times; the first step on a target is its first "
                    + "minute):\n\n").append(ResultTables.timelines(steps)).append('\n');
        }
        if (!max.isEmpty()) {
            md.append("| target | subprotocol | p99 bound ms | max sustained publishes/s | deliveries/s | failed at | why |\n")
                    .append("|---|---|--:|--:|--:|--:|---|\n");
            for (MaxFigures m : max) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f | %.0f | %s |%n", m.target(),
                        m.subprotocol(), m.p99BoundMillis(), m.lastPassingRate(), m.lastPassingDeliveriesPerSecond(),
                        m.firstFailingRate(), m.failure()));
            }
            md.append('\n');
        }
        if (!idle.isEmpty()) {
            md.append(ResultTables.idle(idle)).append('\n');
        }
        return md.toString();
    }

    /** The command line as text, with the value of {@code --secret} replaced by {@code ***}. */
    static String withoutSecret(List<String> args) {
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--secret=")) {
                shown.add("--secret=***");
            } else {
                shown.add(a);
                if (a.equals("--secret") && i + 1 < args.size()) {
                    shown.add("***");
                    i++;
                }
            }
        }
        return String.join(" ", shown);
    }

    /** A one-line description of this machine and JVM. */
    static String describeMachine() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException e) {
            // keep "unknown CPU"
        }
        long memGiB = Runtime.getRuntime().maxMemory();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memGiB = Long.parseLong(line.replaceAll("\\D", "")) / (1024 * 1024);
                    break;
                }
            }
        } catch (IOException e) {
            memGiB = -1;
        }
        return String.format(Locale.ROOT, "%s, %d cores, %d GiB, %s %s, Java %s", cpu,
                Runtime.getRuntime().availableProcessors(), memGiB, System.getProperty("os.name"),
                System.getProperty("os.version"), Runtime.version());
    }
}
