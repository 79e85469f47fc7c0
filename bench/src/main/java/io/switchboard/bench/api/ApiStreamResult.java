package io.switchboard.bench.api;

import java.util.Optional;

/**
 * One variant's figures. Immutable.
 *
 * @param variant      row name
 * @param messages     publishes sent
 * @param acked        successful results
 * @param failed       failed results or calls
 * @param msgsPerSecond acked publishes per second, first send to last result
 * @param p50Ms        publish-to-ack median
 * @param p99Ms        publish-to-ack 99th percentile
 * @param maxMs        publish-to-ack maximum
 * @param delivered    messages the subscribers received
 * @param expected     messages x subscribers
 * @param error        how the stream (or the first failed call) ended, when it failed
 */
public record ApiStreamResult(String variant, int messages, int acked, int failed, double msgsPerSecond, double p50Ms,
                              double p99Ms, double maxMs, long delivered, long expected, Optional<String> error) {
    /** Every publish acknowledged and delivered to every subscriber. */
    public boolean complete() {
        return acked == messages && delivered == expected;
    }
}
