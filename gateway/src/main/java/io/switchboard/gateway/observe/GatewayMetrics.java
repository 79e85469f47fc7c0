package io.switchboard.gateway.observe;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The gateway's Prometheus metrics, registered in the {@link PrometheusRegistry} passed in (never the default
 * registry), together with the JVM metrics. {@link #close()} unregisters the gateway's own metrics so another
 * gateway can register into the same registry later (JVM metrics stay: they are registered once per registry).
 * Thread-safe (the Prometheus metric types are). Counters bumped per frame, delivery or publish keep no exemplars:
 * the exemplar sampler reads the clock and the span context on every increment, a tenth of a writer's samples in
 * the fan-out profile, and no trace context is there to sample.
 *
 * <ul>
 *   <li>{@code gateway_ready} (gauge): 1 while the gateway answers ready (admits connections, fan-out
 *       positioned), else 0</li>
 *   <li>{@code gateway_connections} (gauge): open client connections (both transports)</li>
 *   <li>{@code gateway_connections_opened_total} / {@code gateway_connections_closed_total}: client sessions
 *       opened and ended (by either side; {@code gateway_closes_total} has the gateway's closes by code)</li>
 *   <li>{@code gateway_frames_received_total{type}} / {@code gateway_frames_sent_total{type}}</li>
 *   <li>{@code gateway_publishes_total{outcome}}: {@code ok}, {@code duplicate} or the lower-case error code</li>
 *   <li>{@code gateway_publish_duration_seconds} (histogram): publish received to router answer</li>
 *   <li>{@code gateway_fanout_records_total{result}}: records read from Kafka ({@code delivered},
 *       {@code no_subscribers}, {@code invalid})</li>
 *   <li>{@code gateway_fanout_deliveries_total}: messages handed to local subscribers</li>
 *   <li>{@code gateway_fanout_handed_over_records_total}: records a router of the same process handed over as
 *       it stored them, dispatched before the consumer read them (the single-process platform)</li>
 *   <li>{@code gateway_fanout_lag_records{partition}} (gauge): records of the room log the fan-out consumer has
 *       not read yet, as its Kafka consumer last measured them (a partition appears once it has been fetched)</li>
 *   <li>{@code gateway_slow_consumer_disconnects_total}</li>
 *   <li>{@code gateway_closes_total{code}}: connections closed by the gateway, by close code</li>
 *   <li>{@code gateway_outbound_queue_bytes} (gauge): bytes waiting in all outbound queues</li>
 *   <li>{@code gateway_history_reads_total{kind}}: reads sent to the history store ({@code resume}: replay pages
 *       after coalescing; {@code resume_count}: counts of a resume gap longer than one page; {@code page}:
 *       HistoryRequest frames)</li>
 *   <li>{@code gateway_history_retries_total}: history reads retried on another replica after UNAVAILABLE (a
 *       replica killed, stopping or not caught up)</li>
 *   <li>{@code gateway_resume_replays} (gauge): resumes replaying history now; {@code gateway_resume_replays_waiting}
 *       (gauge): those paused until their connection's outbound queue drains (a slow reader)</li>
 *   <li>{@code gateway_resumes_total{result}}: subscribes with resume_from, by outcome ({@code recovered},
 *       {@code position_expired}, {@code epoch_changed}, {@code too_far_behind}, or the lower-case error code)</li>
 * </ul>
 */
public final class GatewayMetrics implements AutoCloseable {
    /** Upper bounds (seconds) of the gateway's latency histograms: 1 ms to 10 s. */
    public static final double[] LATENCY_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
        5, 10};

    private final PrometheusRegistry registry;
    private final Gauge connections;
    private final Counter connectionsOpened;
    private final Counter connectionsClosed;
    private final Counter framesReceived;
    private final Counter framesSent;
    // Per-frame counters: label values to data points, so the hot path does no label lookup.
    private final ConcurrentHashMap<String, CounterDataPoint> sentByType = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CounterDataPoint> receivedByType = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CounterDataPoint> recordsByResult = new ConcurrentHashMap<>();
    private final Counter publishes;
    private final Histogram publishDuration;
    private final Counter fanoutRecords;
    private final Counter fanoutDeliveries;
    private final Counter fanoutHandedOver;
    private final Counter slowConsumers;
    private final Counter closes;
    private final Gauge outboundQueueBytes;
    private final Counter historyReads;
    private final Counter historyRetries;
    private final Counter resumes;
    private final Gauge replays;
    private final Gauge replaysWaiting;
    private final Counter conflationDelivered;
    private final Counter conflationReplaced;
    private final Counter conflationKeyOverflows;
    private final ConcurrentHashMap<String, ConflationCounters> conflationByNamespace = new ConcurrentHashMap<>();
    private final GaugeWithCallback fanoutLag;
    private final GaugeWithCallback ready;
    private final AtomicReference<BooleanSupplier> readySource = new AtomicReference<>(() -> false);
    private final AtomicReference<Supplier<Map<Integer, Double>>> fanoutLagSource = new AtomicReference<>(Map::of);
    private final CounterWithCallback writerLaneStalls;
    private final AtomicReference<LongSupplier> writerLaneStallSource = new AtomicReference<>(() -> 0);
    private final List<Collector> all;

    public GatewayMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        JvmMetrics.builder().register(registry);
        connections = Gauge.builder().name("gateway_connections")
                .help("Open client connections (WebSockets and HTTP fallback streams)").register(registry);
        connectionsOpened = Counter.builder().name("gateway_connections_opened")
                .help("Client sessions opened (both transports)").register(registry);
        connectionsClosed = Counter.builder().name("gateway_connections_closed")
                .help("Client sessions ended (both transports), whichever side closed them").register(registry);
        framesReceived = Counter.builder().name("gateway_frames_received")
                .help("Client frames received, by frame type").labelNames("type").withoutExemplars()
                .register(registry);
        framesSent = Counter.builder().name("gateway_frames_sent")
                .help("Server frames written to clients, by frame type").labelNames("type").withoutExemplars()
                .register(registry);
        publishes = Counter.builder().name("gateway_publishes")
                .help("Publishes by outcome (ok, duplicate, or the error code)").labelNames("outcome")
                .withoutExemplars().register(registry);
        publishDuration = Histogram.builder().name("gateway_publish_duration_seconds")
                .help("Time from a Publish frame to the router's answer")
                .classicOnly()
                .classicUpperBounds(LATENCY_BUCKETS)
                .register(registry);
        fanoutRecords = Counter.builder().name("gateway_fanout_records")
                .help("Records read from Kafka, by result").labelNames("result").withoutExemplars()
                .register(registry);
        fanoutDeliveries = Counter.builder().name("gateway_fanout_deliveries")
                .help("Messages handed to local subscribers").withoutExemplars()
                .register(registry);
        fanoutHandedOver = Counter.builder().name("gateway_fanout_handed_over_records")
                .help("Room log records a router of this process handed over as it stored them, dispatched before"
                        + " the consumer read them").withoutExemplars()
                .register(registry);
        slowConsumers = Counter.builder().name("gateway_slow_consumer_disconnects")
                .help("Connections closed because their outbound queue overflowed").register(registry);
        closes = Counter.builder().name("gateway_closes")
                .help("Connections closed by the gateway, by close code").labelNames("code").register(registry);
        outboundQueueBytes = Gauge.builder().name("gateway_outbound_queue_bytes")
                .help("Bytes waiting in all outbound queues").register(registry);
        historyReads = Counter.builder().name("gateway_history_reads")
                .help("Reads sent to the history store (resume: coalesced replay pages; resume_count: counts of resume"
                        + " gaps longer than a page; page: HistoryRequest)")
                .labelNames("kind").register(registry);
        historyRetries = Counter.builder().name("gateway_history_retries")
                .help("History reads retried on another replica after UNAVAILABLE").register(registry);
        resumes = Counter.builder().name("gateway_resumes")
                .help("Subscribes with resume_from, by outcome").labelNames("result").register(registry);
        replays = Gauge.builder().name("gateway_resume_replays")
                .help("Resumes replaying history now").register(registry);
        replaysWaiting = Gauge.builder().name("gateway_resume_replays_waiting")
                .help("Resumes whose replay waits for its connection's outbound queue to drain").register(registry);
        conflationDelivered = Counter.builder().name("gateway_conflation_delivered")
                .help("Live messages of conflated rooms sent to a connection, by namespace").labelNames("namespace")
                .withoutExemplars().register(registry);
        conflationReplaced = Counter.builder().name("gateway_conflation_replaced")
                .help("Live messages of conflated rooms replaced by a newer one of their room and key before their"
                        + " slot (never sent live), by namespace").labelNames("namespace")
                .withoutExemplars().register(registry);
        conflationKeyOverflows = Counter.builder().name("gateway_conflation_key_overflows")
                .help("Messages whose conflation key found the room's key slots full (gateway.conflation"
                        + ".max-keys-per-room) and used the room's own slot, by namespace").labelNames("namespace")
                .withoutExemplars().register(registry);
        fanoutLag = GaugeWithCallback.builder().name("gateway_fanout_lag_records")
                .help("Room log records the fan-out consumer has not read yet, by partition")
                .labelNames("partition")
                .callback(cb -> fanoutLagSource.get().get().forEach((p, lag) -> cb.call(lag, Integer.toString(p))))
                .register(registry);
        ready = GaugeWithCallback.builder().name("gateway_ready")
                .help("1 while the gateway is ready (admits connections, fan-out positioned), else 0")
                .callback(cb -> cb.call(readySource.get().getAsBoolean() ? 1 : 0))
                .register(registry);
        writerLaneStalls = CounterWithCallback.builder().name("gateway_writer_lane_stalls")
                .help("Writes that blocked a writer lane past gateway.writer-lane-stall (the lane moved to a new thread)")
                .callback(cb -> cb.call(writerLaneStallSource.get().getAsLong()))
                .register(registry);
        all = List.of(ready, connections, connectionsOpened, connectionsClosed, framesReceived, framesSent,
                publishes, publishDuration, fanoutRecords, fanoutDeliveries, fanoutHandedOver, slowConsumers, closes,
                outboundQueueBytes, historyReads, historyRetries, resumes, replays, replaysWaiting, fanoutLag, writerLaneStalls,
                conflationDelivered, conflationReplaced, conflationKeyOverflows);
    }

    public void connectionOpened() {
        connections.inc();
        connectionsOpened.inc();
    }

    public void connectionClosed() {
        connections.dec();
        connectionsClosed.inc();
    }

    /** What {@code gateway_ready} reports (read at scrape time, on a scrape thread). */
    public void readinessSource(BooleanSupplier source) {
        readySource.set(source);
    }

    /**
     * Where {@code gateway_fanout_lag_records} reads each partition's lag at scrape time; called on a scrape
     * thread, so it must be thread-safe and cheap.
     */
    public void fanoutLagSource(Supplier<Map<Integer, Double>> source) {
        fanoutLagSource.set(source);
    }

    /** Where {@code gateway_writer_lane_stalls_total} reads its count at scrape time (thread-safe and cheap). */
    public void writerLaneStallSource(LongSupplier source) {
        writerLaneStallSource.set(source);
    }

    public void frameReceived(String type) {
        receivedByType.computeIfAbsent(type, framesReceived::labelValues).inc();
    }

    /** Called for every frame written: the labelled data point is looked up once per type, not per frame. */
    public void frameSent(String type) {
        sentByType.computeIfAbsent(type, framesSent::labelValues).inc();
    }

    public void publish(String outcome, long nanos) {
        publishes.labelValues(outcome).inc();
        publishDuration.observe(nanos / 1e9);
    }

    /** A publish rejected before reaching a router (validation, limits): counted, not timed. */
    public void publishRejected(String outcome) {
        publishes.labelValues(outcome).inc();
    }

    public void fanoutRecord(String result) {
        recordsByResult.computeIfAbsent(result, fanoutRecords::labelValues).inc();
    }

    public void fanoutDeliveries(int n) {
        fanoutDeliveries.inc(n);
    }

    public void fanoutHandedOver() {
        fanoutHandedOver.inc();
    }

    /**
     * What the admin view's message-flow chart turns into rates: publishes answered or refused so far (every
     * outcome), messages handed to local subscribers so far, and the fan-out's lag now (records behind the log end,
     * summed over partitions). Reads the metrics' own values; cheap enough for a page refresh, not for a hot path.
     */
    public FlowTotals flowTotals() {
        double published = publishes.collect().getDataPoints().stream().mapToDouble(p -> p.getValue()).sum();
        double lag = fanoutLagSource.get().get().values().stream().mapToDouble(Double::doubleValue).sum();
        return new FlowTotals(published, fanoutDeliveries.get(), lag);
    }

    /** Cumulative publishes and deliveries of this gateway, and its fan-out lag now. */
    public record FlowTotals(double publishes, double deliveries, double lagRecords) {
    }

    public void slowConsumer() {
        slowConsumers.inc();
    }

    public void closed(int code) {
        closes.labelValues(Integer.toString(code)).inc();
    }

    public void outboundQueueBytes(long delta) {
        outboundQueueBytes.inc(delta);
    }

    public void historyRead(String kind) {
        historyReads.labelValues(kind).inc();
    }

    /** A history read is retried on another replica. */
    public void historyRetry() {
        historyRetries.inc();
    }

    /** A replay of history started ({@code +1}) or ended ({@code -1}). */
    public void replaying(int delta) {
        replays.inc(delta);
    }

    /** A replay paused for its connection's outbound queue ({@code +1}) or went on ({@code -1}). */
    public void replayWaiting(int delta) {
        replaysWaiting.inc(delta);
    }

    public void resume(String result) {
        resumes.labelValues(result).inc();
    }

    /** The conflation counters of {@code namespace} (a namespace with a max-rate: the label values stay bounded). */
    public ConflationCounters conflation(String namespace) {
        return conflationByNamespace.computeIfAbsent(namespace, ns -> new ConflationCounters(
                conflationDelivered.labelValues(ns), conflationReplaced.labelValues(ns),
                conflationKeyOverflows.labelValues(ns)));
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        all.forEach(registry::unregister);
    }
}
