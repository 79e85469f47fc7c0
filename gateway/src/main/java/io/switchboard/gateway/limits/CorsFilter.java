package io.switchboard.gateway.limits;

import java.util.List;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * CORS for the HTTP endpoints a browser application may call across origins (the launcher's demo token and status,
 * any route an embedding application adds), with the gateway's origin allow-list. Not for the operational
 * endpoints ({@code /metrics}, {@code /observe}, {@code /admin}): scrapers, orchestrators and operators are not
 * browsers, and no web page should read them, so they never get CORS headers. Not for the WebSocket path either:
 * browsers do not apply CORS to WebSockets (the origin check on the upgrade does that job).
 *
 * <p>A preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) from an allowed origin is answered
 * 204 with the allowed methods and headers, from any other origin 403. Other requests from an allowed origin get
 * {@code Access-Control-Allow-Origin} (the origin itself, never {@code *}) and {@code Vary: Origin}; from any other
 * origin they are served without CORS headers, so the browser keeps the response from the page. Credentials
 * (cookies) are not allowed: tokens travel in the body or the {@code Authorization} header. Stateless, hence
 * thread-safe.
 */
public final class CorsFilter implements Filter {
    static final String ALLOWED_METHODS = "GET, POST";
    static final String ALLOWED_HEADERS = "Authorization, Content-Type";
    static final String MAX_AGE_SECONDS = "600";

    private final OriginPolicy policy;
    private final List<String> excludedPrefixes;

    /**
     * @param policy           the allow-list
     * @param excludedPrefixes paths (and everything below them) that never get CORS
     */
    public CorsFilter(OriginPolicy policy, List<String> excludedPrefixes) {
        this.policy = policy;
        this.excludedPrefixes = List.copyOf(excludedPrefixes);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (origin.isEmpty() || excluded(req.path().path())) {
            chain.proceed();
            return;
        }
        boolean allowed = policy.allows(origin.get());
        boolean preflight = req.prologue().method() == Method.OPTIONS
                && req.headers().contains(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
        if (preflight) {
            if (!allowed) {
                res.status(Status.FORBIDDEN_403).send();
                return;
            }
            allowOrigin(res, origin.get());
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS);
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS);
            res.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS);
            res.status(Status.NO_CONTENT_204).send();
            return;
        }
        if (allowed) {
            allowOrigin(res, origin.get());
        }
        chain.proceed();
    }

    private static void allowOrigin(RoutingResponse res, String origin) {
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        res.header(HeaderNames.VARY, HeaderNames.ORIGIN_NAME);
    }

    private boolean excluded(String path) {
        for (String prefix : excludedPrefixes) {
            if (path.equals(prefix) || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/")) {
                return true;
            }
        }
        return false;
    }
}
