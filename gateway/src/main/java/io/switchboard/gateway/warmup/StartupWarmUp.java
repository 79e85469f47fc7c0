package io.switchboard.gateway.warmup;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;

import io.switchboard.gateway.session.Admission;

/**
 * A gateway's start-up warm-up before it reports ready (docs/performance.md, "Round 7" and "Round 20"): first the
 * publish and delivery path through the probe rooms ({@link PathWarmUp}, unless {@code gateway.warm-up.messages}
 * is 0), then the connect path through loopback connections to the gateway's own WebSocket listeners
 * ({@link ConnectWarmUp}, unless {@code gateway.warm-up.connects} is 0; skipped when the main port serves TLS or no
 * HS256 secret signs tokens). Each part is bounded by {@code gateway.warm-up.max-duration} (reaching it is logged
 * at INFO: a slow machine's normal case); a part that fails is logged as a warning and the gateway starts all the
 * same. After a full connect warm-up, one full garbage collection gives back the heap it grew.
 *
 * <p>Not thread-safe: {@link #run} once, from the gateway's start.
 */
public final class StartupWarmUp {
    private static final Logger LOG = Logger.getLogger(StartupWarmUp.class.getName());

    /**
     * What the warm-up is configured to do.
     *
     * @param messages    {@code gateway.warm-up.messages}
     * @param connects    {@code gateway.warm-up.connects}, per listener
     * @param maxDuration {@code gateway.warm-up.max-duration}, per part
     * @param hs256Secret the key the connect part signs its tokens with (empty: no connect part)
     * @param issuer      the {@code iss} the gateway asks tokens for, if any
     * @param audience    the {@code aud} the gateway asks tokens for, if any
     * @param tls         whether the main port serves TLS (then no connect part)
     */
    public record Settings(int messages, int connects, Duration maxDuration, Optional<String> hs256Secret,
                           Optional<String> issuer, Optional<String> audience, boolean tls) {
        public Settings {
            Objects.requireNonNull(maxDuration, "maxDuration");
            Objects.requireNonNull(hs256Secret, "hs256Secret");
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(audience, "audience");
        }
    }

    private final String gatewayId;
    private final Settings settings;
    private final Admission admission;
    private final WarmUpMetrics metrics;
    private final Clock clock;

    public StartupWarmUp(String gatewayId, Settings settings, Admission admission, WarmUpMetrics metrics,
                         Clock clock) {
        this.gatewayId = Objects.requireNonNull(gatewayId, "gatewayId");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.admission = Objects.requireNonNull(admission, "admission");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Runs both parts; returns when they are done or stopped, never throws for a failed part.
     *
     * @param messagePath the message part for its settings (the gateway's router, fan-out and subscribers)
     * @param listeners   the gateway's WebSocket listeners on loopback, the main port first
     */
    public void run(Function<PathWarmUp.Settings, PathWarmUp> messagePath, List<URI> listeners) {
        if (settings.messages() > 0) {
            PathWarmUp.Result result = messagePath.apply(
                    new PathWarmUp.Settings(settings.messages(), settings.maxDuration())).run();
            metrics.record(result);
            log(String.format(Locale.ROOT, "gateway %s warmed up in %.1f s: %d of %d messages acknowledged,"
                            + " %d deliveries back", gatewayId, result.took().toNanos() / 1e9, result.published(),
                    result.planned(), result.delivered()), result.failure(), result.deadline());
        }
        if (connects(listeners) > ConnectWarmUp.REPEAT_CONNECTS * listeners.size()) {
            // The warm-up's connections grew the heap, and G1 keeps what it took until a cycle that a connection
            // storm right after ready would postpone: one full collection gives it back before clients arrive
            // (performance.md, Round 20). Not after a repeat warm-up, which grew nothing.
            long before = Runtime.getRuntime().totalMemory();
            System.gc();
            LOG.info(String.format(Locale.ROOT, "gateway %s: heap after the warm-up %d MiB, collected to %d MiB",
                    gatewayId, before >> 20, Runtime.getRuntime().totalMemory() >> 20));
        }
    }

    /** The connect part; returns the connections it set out to open (0 when it did not run). */
    private int connects(List<URI> listeners) {
        if (settings.connects() == 0) {
            return 0;
        }
        if (settings.tls() || settings.hs256Secret().isEmpty()) {
            LOG.info("gateway " + gatewayId + ": no connect warm-up (" + (settings.tls()
                    ? "its WebSocket port serves TLS" : "no gateway.auth.hs256-secret to sign its tokens with") + ")");
            return 0;
        }
        String pass = admission.openForWarmUp();
        ConnectWarmUp.Result result;
        try {
            result = new ConnectWarmUp(listeners, pass, ConnectWarmUp.hs256Tokens(settings.hs256Secret().get(),
                    settings.issuer(), settings.audience(), clock),
                    new ConnectWarmUp.Settings(settings.connects(), settings.maxDuration())).run();
        } finally {
            admission.closeWarmUp();
        }
        metrics.record(result);
        log(String.format(Locale.ROOT, "gateway %s warmed its connect path up in %.1f s: %d of %d connections"
                        + " connected", gatewayId, result.took().toNanos() / 1e9, result.connected(),
                result.planned()), result.failure(), result.deadline());
        return result.planned();
    }

    private static void log(String done, Optional<String> failure, boolean deadline) {
        if (failure.isEmpty()) {
            LOG.info(done);
        } else if (deadline) {
            // Normal on a slow or busy machine: it ran the path for as long as it was allowed to.
            LOG.info(done + "; stopped at its deadline (" + failure.orElseThrow() + "), ready");
        } else {
            LOG.warning(done + "; stopped early (" + failure.orElseThrow() + "), ready all the same");
        }
    }
}
