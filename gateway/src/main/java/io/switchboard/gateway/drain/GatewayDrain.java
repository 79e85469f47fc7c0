package io.switchboard.gateway.drain;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.switchboard.gateway.session.Admission;
import io.switchboard.gateway.session.ConnectionRegistry;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * The drain of one gateway's connections, started at most once: the gateway's admission closes (upgrades get
 * 503, publishes UNAVAILABLE), then a {@link PacedDrain} announces and closes the connections in batches.
 * {@link #drain(Duration)} also waits for it and for the closes, and closes whatever is left at once when the
 * budget runs out. Started by SIGTERM (through the gateway's stop) or {@code POST /admin/drain} ({@link
 * #control}); a second start joins the first.
 *
 * <p>Thread-safe: the paced drain is created under this object's lock; waiting happens outside it.
 */
public final class GatewayDrain {
    private static final Logger LOG = Logger.getLogger(GatewayDrain.class.getName());

    private final String gatewayId;
    private final Admission admission;
    private final ConnectionRegistry connections;
    private final Function<Duration, DrainSettings> settings;
    private final Clock clock;
    // @GuardedBy("this") for writes; read without the lock by progress().
    private volatile PacedDrain paced;

    /**
     * @param settings the pacing for a drain with the given budget (batch size, interval, reconnect window)
     */
    public GatewayDrain(String gatewayId, Admission admission, ConnectionRegistry connections,
                        Function<Duration, DrainSettings> settings, Clock clock) {
        this.gatewayId = gatewayId;
        this.admission = admission;
        this.connections = connections;
        this.settings = settings;
        this.clock = clock;
    }

    /** Starts the paced drain with budget {@code grace} unless one was started; returns the one that runs. */
    public synchronized PacedDrain begin(Duration grace) {
        if (paced != null) {
            return paced;
        }
        admission.startDraining();
        LOG.info("gateway " + gatewayId + " draining " + connections.size() + " connections ("
                + admission.publishesInFlight() + " publishes in flight) within " + grace);
        PacedDrain d = new PacedDrain(settings.apply(grace),
                () -> connections.snapshot().stream().map(DrainTarget::of).toList(), connections::size, clock);
        paced = d;
        d.start().whenComplete((report, failure) -> {
            if (report != null) {
                LOG.info("gateway " + gatewayId + " drained: " + report);
            }
        });
        return d;
    }

    /**
     * Waits within {@code grace} for the drain that {@link #begin} started and for the connections to close;
     * closes the rest at once (3000, "reconnect") when it does not finish in time, fails or is interrupted.
     */
    public void await(PacedDrain d, Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            d.completion().get(grace.toNanos(), TimeUnit.NANOSECONDS);
            if (!connections.awaitEmpty(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                LOG.info("gateway " + gatewayId + ": " + connections.size() + " connections still closing");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connections.closeAll(ErrorCode.SERVER_SHUTDOWN, "reconnect");
        } catch (TimeoutException e) {
            LOG.warning("gateway " + gatewayId + ": drain did not finish in " + grace + "; closing the rest at once");
            connections.closeAll(ErrorCode.SERVER_SHUTDOWN, "reconnect");
        } catch (ExecutionException | CancellationException e) {
            LOG.log(Level.WARNING, "gateway " + gatewayId + ": drain failed; closing the rest at once", e);
            connections.closeAll(ErrorCode.SERVER_SHUTDOWN, "reconnect");
        }
    }

    /** Stops the paced drain's batches, if one runs (the gateway is stopping). */
    public void cancel() {
        PacedDrain d = paced;
        if (d != null) {
            d.cancel();
        }
    }

    /** Where the drain is: serving (with the open connections) until it starts. */
    public DrainProgress progress() {
        PacedDrain d = paced;
        return d == null ? DrainProgress.serving(connections.size()) : d.progress();
    }
}
