package io.switchboard.bench;

import java.util.List;
import java.util.Locale;

/** Renders results as a Markdown table or as JSON. Stateless. */
final class ResultTable {
    private ResultTable() {
    }

    /** A Markdown table, one row per result. */
    static String markdown(List<FanoutResult> results) {
        StringBuilder out = new StringBuilder();
        out.append("| target | clients | rooms | publish/s | sent | acked | deliveries/s | p50 ms | p90 ms | p99 ms"
                + " | max ms | missing | errors | slow-consumer closes | other closes |\n");
        out.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (FanoutResult r : results) {
            out.append(String.format(Locale.ROOT,
                    "| %s | %d | %d | %s | %d | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %d | %d | %d | %d |%n",
                    r.target(), r.clients(), r.rooms(), number(r.rate()), r.sent(), r.acked(),
                    r.deliveriesPerSecond(), r.p50Ms(), r.p90Ms(), r.p99Ms(), r.maxMs(), r.missing(), r.errors(),
                    r.slowConsumerCloses(), r.otherCloses()));
        }
        return out.toString();
    }

    /** A JSON array, one object per result. */
    static String json(List<FanoutResult> results) {
        StringBuilder out = new StringBuilder("[\n");
        for (int i = 0; i < results.size(); i++) {
            FanoutResult r = results.get(i);
            out.append(String.format(Locale.ROOT,
                    "  {\"target\": %s, \"clients\": %d, \"rooms\": %d, \"rate\": %s, \"sent\": %d, \"acked\": %d,"
                            + " \"expected\": %d, \"delivered\": %d, \"deliveriesPerSecond\": %.1f,"
                            + " \"p50Ms\": %.3f, \"p90Ms\": %.3f, \"p99Ms\": %.3f, \"maxMs\": %.3f, \"samples\": %d,"
                            + " \"errors\": %d, \"slowConsumerCloses\": %d, \"otherCloses\": %d}",
                    quote(r.target()), r.clients(), r.rooms(), number(r.rate()), r.sent(), r.acked(), r.expected(),
                    r.delivered(), r.deliveriesPerSecond(), r.p50Ms(), r.p90Ms(), r.p99Ms(), r.maxMs(), r.samples(),
                    r.errors(), r.slowConsumerCloses(), r.otherCloses()));
            out.append(i + 1 < results.size() ? ",\n" : "\n");
        }
        return out.append("]\n").toString();
    }

    static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
