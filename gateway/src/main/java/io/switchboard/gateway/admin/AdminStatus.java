package io.switchboard.gateway.admin;

import java.util.List;
import java.util.Optional;

import io.switchboard.gateway.debug.DebugSession;
import io.switchboard.gateway.probe.DeliveryProbe;

/**
 * What the admin view shows of one gateway at one moment: itself, its delivery probe (with the peers it knows
 * from their probes), its debug sessions.
 *
 * @param probe empty when the probe is off ({@code gateway.probe.interval: 0})
 */
public record AdminStatus(String gatewayId, boolean ready, boolean draining, int connections, boolean fanoutPaused,
                          Optional<DeliveryProbe.Status> probe, List<DebugSession> debug) {
}
