package io.switchboard.gateway.session;

import java.time.Duration;

/**
 * The per-connection limits and timeouts, taken from the gateway configuration.
 *
 * @param connectTimeout         time allowed between the upgrade and the Connect frame
 * @param closeTimeout           time allowed for a close (and a blocked write) before the transport is aborted
 * @param maxSubscriptions       rooms one connection may subscribe to
 * @param maxFrameBytes          largest client message, in bytes (also Helidon's max frame length)
 * @param maxPayloadBytes        largest Publish payload, in bytes
 * @param maxOutboundQueueBytes  byte bound of a connection's outbound queue
 * @param maxInflightPublishes   publishes one connection may have waiting for a router
 * @param maxResumeBufferBytes   live bytes one resuming subscription holds while its history is replayed (beyond
 *                               them, they are read back from history)
 */
public record SessionSettings(Duration connectTimeout, Duration closeTimeout, int maxSubscriptions,
                              int maxFrameBytes, int maxPayloadBytes, long maxOutboundQueueBytes,
                              int maxInflightPublishes, long maxResumeBufferBytes) {
}
