package io.switchboard.gateway.drain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /admin/drain} on the gateway's HTTP port, guarded by {@code Authorization: Bearer <gateway.admin.token>}:
 * {@code POST} starts a paced drain in the background and answers 202 at once with
 * {@code {"state":"draining","connections":N}} (again while draining or drained: idempotent); {@code GET} answers
 * 200 with the progress ({@link DrainProgress#toJson()}). Without a configured token every admin path answers
 * 404, as if it did not exist; a missing or wrong token gets 401. Thread-safe.
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

    private final Optional<byte[]> expected;
    private final Control control;

    public DrainAdminService(Optional<String> token, Control control) {
        this.expected = token.map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8));
        this.control = Objects.requireNonNull(control, "control");
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any((req, res) -> {
            if (expected.isEmpty()) {
                res.status(Status.NOT_FOUND_404).send();
                return;
            }
            if (!authorized(req)) {
                res.status(Status.UNAUTHORIZED_401).header(HeaderNames.WWW_AUTHENTICATE, "Bearer").send();
                return;
            }
            res.next();
        });
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

    private boolean authorized(ServerRequest req) {
        Optional<String> header = req.headers().first(HeaderNames.AUTHORIZATION);
        // Constant-time comparison: the token must not leak through response timing.
        return header.isPresent()
                && MessageDigest.isEqual(header.get().strip().getBytes(StandardCharsets.UTF_8), expected.get());
    }

    private static void json(ServerResponse res, Status status, String body) {
        res.status(status).header(HeaderNames.CONTENT_TYPE, "application/json").send(body);
    }
}
