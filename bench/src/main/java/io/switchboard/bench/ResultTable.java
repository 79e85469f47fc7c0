package io.switchboard.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.Locale;

/** Renders results as a Markdown table or as JSON. Stateless. */
final class ResultTable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultTable() {
    }

    /** A Markdown table, one row per result. */
    static String markdown(List<FanoutResult> results) {
        return ResultFile.table("| target | clients | rooms | publish/s | sent | acked | deliveries/s | p50 ms"
                        + " | p90 ms | p99 ms | max ms | missing | errors | slow-consumer closes | other closes |\n"
                        + "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n", results,
                "| %s | %d | %d | %s | %d | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %d | %d | %d | %d |%n",
                r -> new Object[] {r.target(), r.clients(), r.rooms(), number(r.rate()), r.sent(), r.acked(),
                    r.deliveriesPerSecond(), r.p50Ms(), r.p90Ms(), r.p99Ms(), r.maxMs(), r.missing(), r.errors(),
                    r.slowConsumerCloses(), r.otherCloses()});
    }

    /** A JSON array, one object per result (latencies to the microsecond, rates to a tenth). */
    static String json(List<FanoutResult> results) {
        ArrayNode rows = JSON.createArrayNode();
        for (FanoutResult r : results) {
            rows.addObject().put("target", r.target()).put("clients", r.clients()).put("rooms", r.rooms())
                    .put("rate", rounded(r.rate(), 100)).put("sent", r.sent()).put("acked", r.acked())
                    .put("expected", r.expected()).put("delivered", r.delivered())
                    .put("deliveriesPerSecond", rounded(r.deliveriesPerSecond(), 10))
                    .put("p50Ms", rounded(r.p50Ms(), 1000)).put("p90Ms", rounded(r.p90Ms(), 1000))
                    .put("p99Ms", rounded(r.p99Ms(), 1000)).put("maxMs", rounded(r.maxMs(), 1000))
                    .put("samples", r.samples()).put("errors", r.errors())
                    .put("slowConsumerCloses", r.slowConsumerCloses()).put("otherCloses", r.otherCloses());
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rows) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("results not writable as JSON", e);
        }
    }

    private static double rounded(double value, int per) {
        return Math.round(value * per) / (double) per;
    }

    static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.2f", value);
    }
}
