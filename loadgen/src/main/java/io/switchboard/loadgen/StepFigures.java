package io.switchboard.loadgen;

import java.util.List;

/**
 * The merged figures of one publishing step (fan-out, one step of the rate search, or the acks workload) against
 * one target. Latencies in milliseconds from the intended send time; CPU per delivery and per publish from the
 * server processes' CPU time over the measurement window. Immutable.
 *
 * @param target          target name
 * @param workload        fanout, max or acks
 * @param subprotocol     subprotocol token
 * @param rooms           rooms
 * @param members         subscribers per room
 * @param publishers      publishing clients
 * @param rate            intended publishes per second
 * @param sent            measured publishes written
 * @param acked           of those, acknowledged
 * @param ackErrors       of those, answered with an error
 * @param expected        deliveries due (sent x members)
 * @param delivered       deliveries that arrived (each once)
 * @param lost            expected - delivered
 * @param outOfOrder      deliveries older than one already seen from the same publisher (open-loop publishers
 *                        have several in flight; the protocol stores them in send order, so this should be 0)
 * @param duplicates      deliveries a subscriber had already received
 * @param deliveriesPerSecond arrivals during the window / window length
 * @param p50             publish-to-deliver percentiles of measured publishes, ms
 * @param warmupP99       the same for the warm-up's publishes
 * @param ackP50          intended send to ack, ms
 * @param serverCpuMicrosPerDelivery server CPU time / deliveries in the window
 * @param serverCpuMicrosPerPublish  server CPU time / publishes in the window
 * @param serverCores     server CPU time / window length (1.0 = one core busy)
 * @param generatorCores  the generator's own processes, likewise
 * @param serverRssMiB    server RSS at the end of the window
 * @param errors          error frames (but those answering warm-up publishes) and unexpected closes
 * @param warmupErrors    error frames answering warm-up publishes (they do not fail a step)
 * @param drops           connections the server closed
 * @param lateSends       publishes written more than 1 ms late (the generator lagging its schedule)
 * @param maxSendLagMs    the largest such lag
 * @param loadAverage     the machine's 1-minute load average at the end of the window
 * @param firstError      the first error seen, or null
 * @param timeline        per second of the step from its start (warm-up, then the window), the latency of the
 *                        publishes intended in that second
 * @param wireBytesPerSecond   bytes the clients received on the wire per second of the window (WebSocket frame
 *                             headers included)
 * @param wireBytesPerDelivery those bytes / deliveries in the window
 * @param wireMessagesPerSecond WebSocket messages the clients received per second of the window (a batch is one)
 */
public record StepFigures(String target, String workload, String subprotocol, int rooms, int members, int publishers,
                          double rate, long sent, long acked, long ackErrors, long expected, long delivered, long lost,
                          long outOfOrder, long duplicates, double deliveriesPerSecond, double p50, double p90, double p99, double p999,
                          double max, long warmupSamples, double warmupP50, double warmupP99, double warmupMax,
                          double ackP50, double ackP90, double ackP99, double ackMax,
                          double serverCpuMicrosPerDelivery, double serverCpuMicrosPerPublish, double serverCores,
                          double generatorCores, double serverRssMiB, long errors, long warmupErrors, long drops, long lateSends,
                          double maxSendLagMs, double loadAverage, String firstError,
                          List<SecondFigures> timeline, double wireBytesPerSecond, double wireBytesPerDelivery,
                          double wireMessagesPerSecond) {
    /** Nothing lost: every measured publish acknowledged and every due delivery arrived, no errors or drops. */
    public boolean clean() {
        return acked == sent && ackErrors == 0 && delivered >= expected && duplicates == 0 && errors == 0 && drops == 0;
    }
}
