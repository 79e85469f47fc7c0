package io.switchboard.loadgen;

/**
 * Publish-to-deliver latency of the publishes intended in one second of a step, counted from the step's first
 * intended publish: the step's timeline, which shows how a fresh target warms up (the warm-up's single p99 hides
 * whether its tail is a few slow seconds or a slow minute). Immutable.
 *
 * @param second     seconds since the step's start (0 = its first second of publishes)
 * @param measured   true when the second lies in the measurement window, false in the warm-up
 * @param deliveries deliveries of the second's publishes that arrived
 * @param p50        median, ms (NaN when nothing arrived)
 * @param p99        99th percentile, ms
 * @param max        maximum, ms
 */
public record SecondFigures(int second, boolean measured, long deliveries, double p50, double p99, double max) {
}
