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
