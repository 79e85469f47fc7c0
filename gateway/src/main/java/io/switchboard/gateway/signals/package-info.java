/**
 * Signals: the ephemeral, control and presence topics, read from their end by one consumer thread per gateway
 * ({@link io.switchboard.gateway.signals.SignalConsumer}) and turned into frames for the local connections they
 * concern ({@link io.switchboard.gateway.signals.SignalDispatcher}): typing and other ephemeral events, presence
 * events, direct messages, backend disconnects and closed rooms. Nothing here is stored or replayed.
 */
package io.switchboard.gateway.signals;
