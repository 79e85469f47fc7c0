/**
 * The presence model: gateways, their connections and the rooms those are subscribed to, with leases on an
 * injected clock and a delta batcher that turns an interval's changes into one record per changed room or user.
 * Pure in-memory logic behind one lock: no I/O, no threads of its own, so it is tested without sleeping.
 */
package io.switchboard.presence.state;
