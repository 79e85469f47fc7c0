package io.switchboard.gateway.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/**
 * The admin view: {@code GET /admin/status} (behind {@link AdminAuth}) answers the gateway's {@link AdminStatus}
 * as JSON, and {@link Page} serves the page that shows it. The page itself holds no data: it asks the operator for
 * the admin token, keeps it in the tab's session storage and calls {@code /admin/status}, {@code /admin/drain} and
 * {@code /admin/debug} with it. Thread-safe.
 */
public final class AdminViewService implements HttpService {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<Optional<AdminStatus>> status;

    /** @param status the gateway's status now; empty before it has started */
    public AdminViewService(Supplier<Optional<AdminStatus>> status) {
        this.status = Objects.requireNonNull(status, "status");
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/status", (req, res) -> {
            Optional<AdminStatus> s = status.get();
            if (s.isEmpty()) {
                AdminAuth.json(res, Status.CONFLICT_409, "{\"state\":\"starting\"}");
                return;
            }
            AdminAuth.json(res, Status.OK_200, toJson(s.get()).toString());
        });
    }

    static ObjectNode toJson(AdminStatus s) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("gateway").put("id", s.gatewayId()).put("ready", s.ready()).put("draining", s.draining())
                .put("connections", s.connections()).put("fanoutPaused", s.fanoutPaused());
        ObjectNode probe = root.putObject("probe").put("enabled", s.probe().isPresent());
        ArrayNode peers = root.putArray("peers");
        s.probe().ifPresent(p -> {
            probe.put("healthy", p.healthy()).put("sent", p.sent()).put("arrived", p.arrived())
                    .put("failed", p.failed());
            p.lastLatency().ifPresent(l -> probe.put("lastLatencyMs", l.toNanos() / 1e6));
            p.peers().forEach((id, peer) -> peers.addObject().put("id", id).put("connections", peer.connections())
                    .put("ready", peer.ready()).put("lastSeenMs", peer.silence().toMillis()));
        });
        ArrayNode routers = root.putArray("routers");
        s.routers().forEach((address, breaker) -> routers.addObject().put("address", address).put("breaker", breaker));
        ObjectNode rooms = root.putObject("rooms").put("windowSeconds", s.rooms().window().toMillis() / 1000.0)
                .put("totalPerSecond", s.rooms().totalPerSecond());
        ArrayNode top = rooms.putArray("top");
        s.rooms().top().forEach(r -> top.addObject().put("room", r.room()).put("perSecond", r.perSecond()));
        root.putObject("flow").put("publishesTotal", s.flow().publishes())
                .put("deliveriesTotal", s.flow().deliveries()).put("lagRecords", s.flow().lagRecords());
        ArrayNode debug = root.putArray("debug");
        s.debug().forEach(d -> debug.addObject().put("id", d.id()).put("target", d.target().key())
                .put("value", d.value()).put("until", d.until().toString()).put("payloads", d.payloads()));
        return root;
    }

    /**
     * {@code GET /admin/view}: the page, registered before {@link AdminAuth} (a browser cannot send the bearer token
     * on navigation); 404 when no admin token is configured, like every admin path.
     */
    public static final class Page implements HttpService {
        private final boolean enabled;
        private final byte[] html;

        public Page(boolean enabled) {
            this.enabled = enabled;
            try (InputStream in = AdminViewService.class.getResourceAsStream("view.html")) {
                this.html = Objects.requireNonNull(in, "admin view page missing from the jar").readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void routing(HttpRules rules) {
            rules.get("/view", (req, res) -> {
                if (!enabled) {
                    res.status(Status.NOT_FOUND_404).send();
                    return;
                }
                res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                        .header(HeaderNames.CACHE_CONTROL, "no-store")
                        .header("Content-Security-Policy", "default-src 'self'; img-src data:;"
                                + " script-src 'unsafe-inline'; style-src 'unsafe-inline'")
                        .send(html);
            });
        }
    }
}
