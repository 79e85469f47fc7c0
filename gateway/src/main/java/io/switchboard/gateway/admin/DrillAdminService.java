package io.switchboard.gateway.admin;

import java.util.Objects;
import java.util.logging.Logger;

import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerResponse;

/**
 * Fault-injection drills under {@code /admin/drill}, behind {@link AdminAuth} and enabled only by
 * {@code gateway.admin.drills} (else every drill path answers 404): {@code POST /admin/drill/fanout-pause} stops
 * this gateway's fan-out without any other sign (a silent-loss fault: its clients receive nothing, readiness and
 * the lag metric stay unchanged) so an SRE can prove that the delivery probe and its alert catch it;
 * {@code POST /admin/drill/fanout-resume} ends it. Both, and {@code GET /admin/drill}, answer 200 with
 * {@code {"fanoutPaused":bool}}; 409 before the gateway has started. Thread-safe.
 */
public final class DrillAdminService implements HttpService {
    private static final Logger LOG = Logger.getLogger(DrillAdminService.class.getName());

    /** The fault the drills inject. */
    public interface Fanout {
        /**
         * Pauses or resumes the fan-out.
         *
         * @throws IllegalStateException before the gateway has started
         */
        void pause(boolean paused);

        boolean isPaused();
    }

    private final boolean enabled;
    private final Fanout fanout;

    public DrillAdminService(boolean enabled, Fanout fanout) {
        this.enabled = enabled;
        this.fanout = Objects.requireNonNull(fanout, "fanout");
    }

    @Override
    public void routing(HttpRules rules) {
        Handler gate = (req, res) -> {
            if (!enabled) {
                res.status(Status.NOT_FOUND_404).send();
                return;
            }
            res.next();
        };
        rules.any("/drill", gate);
        rules.any("/drill/*", gate);
        rules.get("/drill", (req, res) -> answer(res));
        rules.post("/drill/fanout-pause", (req, res) -> pause(res, true));
        rules.post("/drill/fanout-resume", (req, res) -> pause(res, false));
    }

    private void pause(ServerResponse res, boolean paused) {
        try {
            fanout.pause(paused);
        } catch (IllegalStateException e) {
            AdminAuth.json(res, Status.CONFLICT_409, "{\"state\":\"starting\"}");
            return;
        }
        LOG.warning(() -> "drill: fan-out " + (paused ? "paused" : "resumed") + " through the admin endpoint");
        answer(res);
    }

    private void answer(ServerResponse res) {
        boolean paused;
        try {
            paused = fanout.isPaused();
        } catch (IllegalStateException e) {
            AdminAuth.json(res, Status.CONFLICT_409, "{\"state\":\"starting\"}");
            return;
        }
        AdminAuth.json(res, Status.OK_200, "{\"fanoutPaused\":" + paused + "}");
    }
}
