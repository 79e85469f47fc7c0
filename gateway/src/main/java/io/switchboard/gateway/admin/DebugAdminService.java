package io.switchboard.gateway.admin;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.switchboard.gateway.debug.DebugSession;
import io.switchboard.gateway.debug.DebugSessions;

/**
 * Debug mode under {@code /admin/debug}, behind {@link AdminAuth}:
 * <ul>
 *   <li>{@code POST /admin/debug} with {@code {"user":"alice"}} (or {@code "session"}: a connection's session id,
 *       or {@code "room"}), optional {@code "duration"} (ISO-8601, default {@value #DEFAULT_DURATION_TEXT}, at most
 *       {@code gateway.admin.debug-max-duration}) and {@code "payloads"} (default false: payloads are logged as
 *       their size only): 201 with the session ({@code id}, {@code target}, {@code value}, {@code until},
 *       {@code payloads}); 400 with {@code {"error":...}} for a bad request.</li>
 *   <li>{@code GET /admin/debug}: 200 with {@code {"sessions":[...]}}.</li>
 *   <li>{@code DELETE /admin/debug/<id>}: ends it early: 204, or 404 when there is no such session.</li>
 * </ul>
 * Thread-safe.
 */
public final class DebugAdminService implements HttpService {
    static final String DEFAULT_DURATION_TEXT = "PT5M";
    private static final Duration DEFAULT_DURATION = Duration.parse(DEFAULT_DURATION_TEXT);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DebugSessions sessions;

    public DebugAdminService(DebugSessions sessions) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/debug", this::start);
        rules.get("/debug", (req, res) -> {
            ArrayNode list = JSON.createArrayNode();
            sessions.list().forEach(s -> list.add(toJson(s)));
            ObjectNode body = JSON.createObjectNode();
            body.set("sessions", list);
            AdminAuth.json(res, Status.OK_200, body.toString());
        });
        rules.delete("/debug/{id}", (req, res) -> {
            if (sessions.end(req.path().pathParameters().get("id"))) {
                res.status(Status.NO_CONTENT_204).send();
            } else {
                error(res, Status.NOT_FOUND_404, "no debug session " + req.path().pathParameters().get("id"));
            }
        });
    }

    private void start(ServerRequest req, ServerResponse res) {
        JsonNode body;
        try {
            body = JSON.readTree(req.content().as(String.class));
        } catch (JsonProcessingException e) {
            error(res, Status.BAD_REQUEST_400, "body: not JSON (expected: {\"user\"|\"session\"|\"room\": ...})");
            return;
        }
        if (body == null || !body.isObject()) {
            error(res, Status.BAD_REQUEST_400, "body: not a JSON object");
            return;
        }
        List<DebugSession.Target> given = new ArrayList<>();
        for (DebugSession.Target t : DebugSession.Target.values()) {
            if (body.hasNonNull(t.key())) {
                given.add(t);
            }
        }
        if (given.size() != 1) {
            error(res, Status.BAD_REQUEST_400, "target: " + given.size() + " of session, user, room"
                    + " (expected: exactly one)");
            return;
        }
        DebugSession.Target target = given.getFirst();
        Duration duration;
        try {
            duration = body.hasNonNull("duration") ? Duration.parse(body.get("duration").asText()) : DEFAULT_DURATION;
        } catch (DateTimeParseException e) {
            error(res, Status.BAD_REQUEST_400, "duration: '" + body.get("duration").asText()
                    + "' (expected: ISO-8601, e.g. PT5M)");
            return;
        }
        try {
            DebugSession s = sessions.start(target, body.get(target.key()).asText(), duration,
                    body.path("payloads").asBoolean(false));
            AdminAuth.json(res, Status.CREATED_201, toJson(s).toString());
        } catch (IllegalArgumentException e) {
            error(res, Status.BAD_REQUEST_400, e.getMessage());
        }
    }

    private static ObjectNode toJson(DebugSession s) {
        return JSON.createObjectNode().put("id", s.id()).put("target", s.target().key()).put("value", s.value())
                .put("until", s.until().toString()).put("payloads", s.payloads());
    }

    private static void error(ServerResponse res, Status status, String message) {
        AdminAuth.json(res, status, JSON.createObjectNode().put("error", message).toString());
    }
}
