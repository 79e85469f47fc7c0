package io.switchboard.loadgen;

/**
 * The outcome of the rate search against one target: the last step that passed (p99 within the bound, nothing
 * lost) and why the next one failed. Immutable.
 *
 * @param target              target name
 * @param subprotocol         subprotocol token
 * @param p99BoundMillis      the bound a step's p99 had to stay within
 * @param lastPassingRate     publishes/s of the last passing step (0: none passed)
 * @param lastPassingDeliveriesPerSecond deliveries/s measured in that step
 * @param firstFailingRate    publishes/s of the step that failed (NaN: the search reached its limit)
 * @param failure             why it failed
 */
public record MaxFigures(String target, String subprotocol, double p99BoundMillis, double lastPassingRate,
                         double lastPassingDeliveriesPerSecond, double firstFailingRate, String failure) {
}
