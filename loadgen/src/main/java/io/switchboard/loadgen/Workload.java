package io.switchboard.loadgen;

/** What the clients do. */
public enum Workload {
    /** Open N authenticated connections and hold them: connect rate, failures, drops, server RSS per connection. */
    IDLE,
    /** R rooms x M members, one publisher per room, a fixed aggregate publish rate (open loop). */
    FANOUT,
    /** Fan-out steps of rising rate until p99 exceeds the bound or anything is lost. */
    MAX,
    /** Many clients each publishing with ack at a low rate into rooms with a few members: ack round trips. */
    ACKS,
    /**
     * A dashboard: rooms each updated at a fixed rate, watched by many subscribers, run three times on fresh
     * clients (plain subprotocol, {@code +batch}, and plain into a namespace the platform conflates): bytes on the
     * wire, deliveries and server CPU per delivery of each.
     */
    DASHBOARD
}
