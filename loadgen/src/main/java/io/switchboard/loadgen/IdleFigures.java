package io.switchboard.loadgen;

/**
 * Idle connections against one target: how fast they connected (WebSocket handshake, {@code connect} with a
 * token, {@code connected}), how many failed or were dropped while held, and how much the server's RSS grew.
 * Immutable.
 *
 * @param target            target name
 * @param subprotocol       subprotocol token
 * @param connections       connections attempted
 * @param connected         connections that got {@code connected}
 * @param failed            connections that did not
 * @param connectSeconds    from the first attempt to the last {@code connected}
 * @param connectsPerSecond connected / connectSeconds
 * @param drops             connections the server closed while held
 * @param heldSeconds       how long they were held before the second RSS reading
 * @param rssBeforeMiB      server RSS before connecting
 * @param rssAfterMiB       server RSS after holding
 * @param rssPerConnectionKiB (after - before) / connected
 * @param baseConnected     connections opened and held before the measured ones ({@code --idle-base}), 0 without
 * @param rssBaseMiB        server RSS with the base connections held; NaN without a base
 * @param rssSlopeKiB       (after - base) / connected: what each connection above the base added; NaN without a base
 * @param serverCpuMicrosPerConnect server CPU during the connect phase / connected
 * @param generatorCpuMicrosPerConnect the generator's own CPU (coordinator and workers) during the connect phase /
 *                          connected: beside the server's, whether the generator limited the connect rate
 * @param loadAverage       the machine's 1-minute load average at the end
 * @param firstFailure      the first failure, or null
 */
public record IdleFigures(String target, String subprotocol, int connections, int connected, int failed,
                          double connectSeconds, double connectsPerSecond, long drops, double heldSeconds,
                          double rssBeforeMiB, double rssAfterMiB, double rssPerConnectionKiB,
                          int baseConnected, double rssBaseMiB, double rssSlopeKiB,
                          double serverCpuMicrosPerConnect, double generatorCpuMicrosPerConnect, double loadAverage,
                          String firstFailure) {
}
