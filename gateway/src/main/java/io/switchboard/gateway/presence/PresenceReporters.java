package io.switchboard.gateway.presence;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.grpc.Channel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.proto.client.v1.PresenceStatus;

/**
 * Reports this gateway's presence changes to every presence instance, one {@link PresenceReporter} each: each
 * instance holds the whole model (it takes over another's shards without waiting for the gateways), and each
 * reporter keeps its own sequence, lease and resyncs, so a dead or restarted instance never holds the others back.
 * With one instance this is one reporter. Metrics are shared (counted over all instances). Thread-safe.
 */
public final class PresenceReporters implements PresenceChanges, AutoCloseable {
    private final List<PresenceReporter> reporters;
    private final PresenceMetrics metrics;

    /** @param channels one channel per presence instance (not closed here) */
    public PresenceReporters(PresenceReporter.Settings settings, List<Channel> channels, PrometheusRegistry registry) {
        this.metrics = new PresenceMetrics(registry);
        this.reporters = channels.stream().map(channel -> new PresenceReporter(settings, channel, metrics, false))
                .toList();
    }

    /** Starts every reporter (each sends a Sync first). Fails when called twice. */
    public void start() {
        reporters.forEach(PresenceReporter::start);
    }

    /** Sends what is queued one last time to every instance, then stops; waits at most {@code timeout} for each. */
    public void stop(Duration timeout) {
        reporters.forEach(reporter -> reporter.stop(timeout));
        metrics.close();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    @Override
    public void opened(String sessionId, String userId, String client, Instant openedTime) {
        reporters.forEach(reporter -> reporter.opened(sessionId, userId, client, openedTime));
    }

    @Override
    public void closed(String sessionId) {
        reporters.forEach(reporter -> reporter.closed(sessionId));
    }

    @Override
    public void joined(String sessionId, String room) {
        reporters.forEach(reporter -> reporter.joined(sessionId, room));
    }

    @Override
    public void left(String sessionId, String room) {
        reporters.forEach(reporter -> reporter.left(sessionId, room));
    }

    @Override
    public void status(String sessionId, PresenceStatus status, String text) {
        reporters.forEach(reporter -> reporter.status(sessionId, status, text));
    }
}
