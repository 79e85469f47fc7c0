package io.switchboard.bench;

import java.util.List;

/**
 * The figures of one target's run. Publishes, acks and deliveries count messages whose intended send time lies
 * in the measurement window; {@code deliveriesPerSecond} counts arrivals during the window; errors and closes
 * count the whole run.
 *
 * @param target              which system was measured
 * @param clients             subscribers
 * @param rooms               rooms (one publisher each)
 * @param rate                publishes per second asked for
 * @param sent                publishes written in the window
 * @param acked               of those, acknowledged
 * @param expected            deliveries due for the publishes written in the window
 * @param delivered           of those, delivered before the run ended
 * @param deliveriesPerSecond messages received by subscribers per second of the window
 * @param p50Ms               publish-to-deliver latency, median, in milliseconds
 * @param p90Ms               90th percentile
 * @param p99Ms               99th percentile
 * @param maxMs               maximum
 * @param samples             latency samples
 * @param errors              error frames received plus publishes that could not be written
 * @param slowConsumerCloses  connections the server closed as slow consumers
 * @param otherCloses         connections the server closed for another reason
 * @param problems            the first few problems seen, for the log
 */
public record FanoutResult(String target, int clients, int rooms, double rate, long sent, long acked,
                           long expected, long delivered, double deliveriesPerSecond,
                           double p50Ms, double p90Ms, double p99Ms, double maxMs, long samples,
                           long errors, long slowConsumerCloses, long otherCloses, List<String> problems) {
    public FanoutResult {
        problems = List.copyOf(problems);
    }

    /** Deliveries due for in-window publishes that never arrived. */
    public long missing() {
        return expected - delivered;
    }
}
