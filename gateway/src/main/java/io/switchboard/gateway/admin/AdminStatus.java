package io.switchboard.gateway.admin;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.switchboard.gateway.debug.DebugSession;
import io.switchboard.gateway.fanout.RoomRates;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.gateway.probe.DeliveryProbe;

/**
 * What the admin view shows of one gateway at one moment: itself, its delivery probe (with the peers it knows
 * from their probes), the routers it knows with their circuit breakers, the busiest rooms of the room log, its
 * debug sessions.
 *
 * @param probe    empty when the probe is off ({@code gateway.probe.interval: 0})
 * @param routers  each router ({@code host:port}) with its breaker's state
 * @param rooms    the room log's message rates over the last complete window
 * @param flow     this gateway's publish and delivery counts and fan-out lag, for the message-flow chart
 */
public record AdminStatus(String gatewayId, boolean ready, boolean draining, int connections, boolean fanoutPaused,
                          Optional<DeliveryProbe.Status> probe, Map<String, String> routers,
                          RoomRates.Snapshot rooms, List<DebugSession> debug, GatewayMetrics.FlowTotals flow) {
}
