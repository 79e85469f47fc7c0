package io.switchboard.loadgen;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Markdown tables of {@link StepFigures} and {@link IdleFigures}, one row per target and step. Stateless. */
final class ResultTables {
    private record Column<T>(String header, Function<T, Object> value) {
    }

    private static final List<Column<StepFigures>> STEP = List.of(
            new Column<>("target", StepFigures::target),
            new Column<>("workload", StepFigures::workload),
            new Column<>("subprotocol", s -> s.subprotocol().substring(s.subprotocol().lastIndexOf('.') + 1)),
            new Column<>("publish/s", StepFigures::rate),
            new Column<>("deliveries/s", StepFigures::deliveriesPerSecond),
            new Column<>("wire KiB/s", s -> s.wireBytesPerSecond() / 1024),
            new Column<>("wire B/delivery", StepFigures::wireBytesPerDelivery),
            new Column<>("WS messages/s", StepFigures::wireMessagesPerSecond),
            new Column<>("sent", StepFigures::sent),
            new Column<>("acked", StepFigures::acked),
            new Column<>("lost", StepFigures::lost),
            new Column<>("dup", StepFigures::duplicates),
            new Column<>("reordered", StepFigures::outOfOrder),
            new Column<>("p50 ms", StepFigures::p50),
            new Column<>("p90 ms", StepFigures::p90),
            new Column<>("p99 ms", StepFigures::p99),
            new Column<>("p99.9 ms", StepFigures::p999),
            new Column<>("max ms", StepFigures::max),
            new Column<>("warm-up p99 ms", StepFigures::warmupP99),
            new Column<>("ack p50 ms", StepFigures::ackP50),
            new Column<>("ack p99 ms", StepFigures::ackP99),
            new Column<>("server µs/delivery", StepFigures::serverCpuMicrosPerDelivery),
            new Column<>("server µs/publish", StepFigures::serverCpuMicrosPerPublish),
            new Column<>("server cores", StepFigures::serverCores),
            new Column<>("generator cores", StepFigures::generatorCores),
            new Column<>("server RSS MiB", StepFigures::serverRssMiB),
            new Column<>("errors", StepFigures::errors),
            new Column<>("warm-up errors", StepFigures::warmupErrors),
            new Column<>("drops", StepFigures::drops),
            new Column<>("late sends", StepFigures::lateSends),
            new Column<>("load avg", StepFigures::loadAverage));

    private static final List<Column<IdleFigures>> IDLE = List.of(
            new Column<>("target", IdleFigures::target),
            new Column<>("subprotocol", s -> s.subprotocol().substring(s.subprotocol().lastIndexOf('.') + 1)),
            new Column<>("connections", IdleFigures::connections),
            new Column<>("connected", IdleFigures::connected),
            new Column<>("failed", IdleFigures::failed),
            new Column<>("connects/s", IdleFigures::connectsPerSecond),
            new Column<>("server µs/connect", IdleFigures::serverCpuMicrosPerConnect),
            new Column<>("generator µs/connect", IdleFigures::generatorCpuMicrosPerConnect),
            new Column<>("drops", IdleFigures::drops),
            new Column<>("held s", IdleFigures::heldSeconds),
            new Column<>("RSS before MiB", IdleFigures::rssBeforeMiB),
            new Column<>("RSS after MiB", IdleFigures::rssAfterMiB),
            new Column<>("KiB/connection", IdleFigures::rssPerConnectionKiB),
            new Column<>("base connections", IdleFigures::baseConnected),
            new Column<>("RSS at base MiB", IdleFigures::rssBaseMiB),
            new Column<>("KiB/connection above base", IdleFigures::rssSlopeKiB),
            new Column<>("load avg", IdleFigures::loadAverage));

    private ResultTables() {
    }

    static String steps(List<StepFigures> rows) {
        return table(STEP, rows);
    }

    static String idle(List<IdleFigures> rows) {
        return table(IDLE, rows);
    }

    /** The timeline's p99 per second on one line, the window's seconds after a {@code |}: {@code 612 410 ... | 9.1 8.7}. */
    static String timelineLine(List<SecondFigures> timeline) {
        StringBuilder line = new StringBuilder();
        boolean inWindow = false;
        for (SecondFigures s : timeline) {
            if (s.measured() && !inWindow) {
                inWindow = true;
                line.append(line.isEmpty() ? "| " : " | ");
            } else if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(format(s.p99()));
        }
        return line.toString();
    }

    /**
     * The steps' timelines side by side: a row per second since each step's start, a column per step with the p99
     * of the publishes intended in that second ({@code *} marks the seconds of the measurement window).
     */
    static String timelines(List<StepFigures> rows) {
        int seconds = rows.stream().mapToInt(r -> r.timeline().size()).max().orElse(0);
        StringBuilder out = new StringBuilder("| second |");
        rows.forEach(r -> out.append(' ').append(r.target()).append(' ').append(r.workload()).append(' ')
                .append(format(r.rate())).append("/s p99 ms |"));
        out.append("\n|--:|");
        rows.forEach(r -> out.append("--:|"));
        out.append('\n');
        for (int i = 0; i < seconds; i++) {
            out.append("| ").append(i).append(" |");
            for (StepFigures r : rows) {
                SecondFigures s = i < r.timeline().size() ? r.timeline().get(i) : null;
                out.append(' ').append(s == null ? "" : format(s.p99()) + (s.measured() ? "*" : "")).append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static <T> String table(List<Column<T>> columns, List<T> rows) {
        StringBuilder out = new StringBuilder("|");
        columns.forEach(c -> out.append(' ').append(c.header()).append(" |"));
        out.append("\n|");
        columns.forEach(c -> out.append(c == columns.getFirst() ? "---|" : "--:|"));
        out.append('\n');
        for (T row : rows) {
            out.append('|');
            for (Column<T> c : columns) {
                out.append(' ').append(format(c.value().apply(row))).append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String format(Object v) {
        if (v instanceof Double d) {
            if (d.isNaN()) {
                return "-";
            }
            double a = Math.abs(d);
            return String.format(Locale.ROOT, a >= 1000 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", d);
        }
        return String.valueOf(v);
    }
}
