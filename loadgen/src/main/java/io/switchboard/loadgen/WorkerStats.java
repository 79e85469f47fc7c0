package io.switchboard.loadgen;

import java.util.List;

/**
 * One worker's figures for one step, sent to the coordinator as a JSON line. Counts of "measured" publishes are
 * those intended inside the measurement window. Histograms are HdrHistogram's compressed encoding in base64,
 * values in microseconds.
 *
 * @param sent          measured publishes written
 * @param sentAll       publishes written during the whole step (warm-up included)
 * @param acked         measured publishes acknowledged
 * @param ackErrors     measured publishes answered with an error
 * @param delivered     deliveries of measured publishes (whenever they arrived)
 * @param arrivals      deliveries that arrived inside the window (for deliveries per second)
 * @param outOfOrder    measured deliveries older than one already seen from the same publisher (the protocol
 *                      stores a connection's publishes into a room in send order, pipelined ones included: 0)
 * @param duplicates    deliveries a subscriber had already received (not counted as delivered)
 * @param errors        error frames, except those answering warm-up publishes
 * @param warmupErrors  error frames answering warm-up publishes
 * @param lateSends     publishes written more than 1 ms after their intended time (the generator lagging)
 * @param maxSendLagMicros the largest such lag
 * @param drops         connections of this worker the server closed since they were ready
 * @param firstError    the first error seen, or null
 * @param timeline      per second of the step (from its start), the latency histogram of the deliveries of the
 *                      publishes intended in that second; "" for a second with none
 * @param wireBytes     bytes of the WebSocket messages the clients received inside the window, frame headers
 *                      included (every server frame, acks and batches too)
 * @param wireMessages  those WebSocket messages (a batch is one)
 */
record WorkerStats(int worker, int step, long sent, long sentAll, long acked, long ackErrors, long delivered,
                   long arrivals, long outOfOrder, long duplicates, long errors, long warmupErrors, long lateSends, long maxSendLagMicros, long drops,
                   String firstError, String latency, String warmupLatency, String ackLatency,
                   List<String> timeline, long wireBytes, long wireMessages) {
}
