package io.switchboard.gateway.sse;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.switchboard.gateway.limits.EdgeLimits;

/**
 * The WebSocket upgrade's origin rule applied to the HTTP fallback's requests ({@link EdgeLimits#allowsOrigin}):
 * CORS alone would only keep a refused page from reading the answer, while the request itself (a POST of frames) would
 * still act. Stateless, hence thread-safe.
 */
final class OriginRule {
    private final EdgeLimits limits;

    OriginRule(EdgeLimits limits) {
        this.limits = limits;
    }

    boolean allows(ServerRequest req) {
        return limits.allowsOrigin(req.headers().first(HeaderNames.ORIGIN), req.headers().first(HeaderNames.HOST),
                req.isSecure());
    }
}
