package io.switchboard.bench.authz;

/**
 * One variant's measured rounds.
 *
 * @param variant           how rooms were granted
 * @param connections       connections that connected and subscribed in the measured rounds
 * @param connectionsPerSec connections / measured time, over all measured rounds
 * @param slowestRoundRate  the lowest rate of one round; {@code fastestRoundRate} the highest
 * @param p50Millis         connect + subscribe time of one connection, median
 * @param p99Millis         and 99th percentile
 * @param failures          connections that got an error or no answer
 */
record AuthzResult(AuthzVariant variant, long connections, double connectionsPerSec, double slowestRoundRate,
                   double fastestRoundRate, double p50Millis, double p99Millis, long failures) {
}
