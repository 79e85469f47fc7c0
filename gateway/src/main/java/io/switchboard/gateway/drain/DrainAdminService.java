package io.switchboard.gateway.drain;

import java.util.Objects;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.switchboard.gateway.admin.AdminAuth;

/**
 * {@code /admin/drain} on the gateway's HTTP port, behind {@link AdminAuth} ({@code Authorization: Bearer
 * <gateway.admin.token>}): {@code POST} starts a paced drain in the background and answers 202 at once with
 * {@code {"state":"draining","connections":N}} (again while draining or drained: idempotent); {@code GET} answers
 * 200 with the progress ({@link DrainProgress#toJson()}). Thread-safe.
 */
public final class DrainAdminService implements HttpService {
    /** What the endpoint drives. */
    public interface Control {
        /**
         * Starts the drain unless one runs or ran already; never blocks on it.
         *
         * @return the connections open when the drain began
         * @throws IllegalStateException when the gateway is not started yet
         */
        int startDrain();

        DrainProgress progress();
    }

    private final Control control;

    public DrainAdminService(Control control) {
        this.control = Objects.requireNonNull(control, "control");
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/drain", this::post);
        rules.get("/drain", (req, res) -> json(res, Status.OK_200, control.progress().toJson()));
    }

    private void post(ServerRequest req, ServerResponse res) {
        int connections;
        try {
            connections = control.startDrain();
        } catch (IllegalStateException e) {
            json(res, Status.CONFLICT_409, DrainProgress.JSON.createObjectNode().put("state", "starting").toString());
            return;
        }
        json(res, Status.ACCEPTED_202, DrainProgress.JSON.createObjectNode().put("state", "draining")
                .put("connections", connections).toString());
    }

    private static void json(ServerResponse res, Status status, String body) {
        AdminAuth.json(res, status, body);
    }
}
