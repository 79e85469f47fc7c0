package io.switchboard.gateway.observe;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;

/**
 * One namespace's conflation counters ({@link GatewayMetrics#conflation}), resolved once per conflated room so
 * that a delivery does no label lookup. Thread-safe (the data points are).
 */
public final class ConflationCounters {
    private final CounterDataPoint delivered;
    private final CounterDataPoint replaced;
    private final CounterDataPoint keyOverflows;

    ConflationCounters(CounterDataPoint delivered, CounterDataPoint replaced, CounterDataPoint keyOverflows) {
        this.delivered = delivered;
        this.replaced = replaced;
        this.keyOverflows = keyOverflows;
    }

    /** A message went to the connection's queue (at once or when its slot came). */
    public void delivered() {
        delivered.inc();
    }

    /** A held message was replaced by a newer one of its slot: never sent live (a resume still replays it). */
    public void replaced() {
        replaced.inc();
    }

    /** A message's key found the room's key slots full (none idle): it used the room's own slot. */
    public void keyOverflow() {
        keyOverflows.inc();
    }
}
