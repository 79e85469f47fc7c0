package io.switchboard.gateway.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The guard in front of every {@code /admin} service, registered first: without a configured
 * {@code gateway.admin.token} every admin path answers 404, as if it did not exist; a request without
 * {@code Authorization: Bearer <token>} or with a wrong one gets 401; others pass on. Thread-safe.
 */
public final class AdminAuth implements HttpService {
    private final Optional<byte[]> expected;

    public AdminAuth(Optional<String> token) {
        this.expected = token.map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8));
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
    }

    private boolean authorized(ServerRequest req) {
        Optional<String> header = req.headers().first(HeaderNames.AUTHORIZATION);
        // Constant-time comparison: the token must not leak through response timing.
        return header.isPresent()
                && MessageDigest.isEqual(header.get().strip().getBytes(StandardCharsets.UTF_8), expected.get());
    }

    /** Answers {@code status} with a JSON body. */
    public static void json(ServerResponse res, Status status, String body) {
        res.status(status).header(HeaderNames.CONTENT_TYPE, "application/json").send(body);
    }
}
