package io.switchboard.gateway.sse;

import java.util.Optional;
import java.util.function.Supplier;

import io.helidon.http.Status;
import io.switchboard.gateway.auth.AuthException;
import io.switchboard.gateway.auth.TokenVerifier;
import io.switchboard.gateway.auth.VerifiedToken;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * Who may post frames into a stream: the holder of a valid token ({@code Authorization: Bearer <JWT>}) of the
 * stream's user. A stream id alone is not enough: it travels in URLs, which proxies and access logs record. Before
 * the session is connected any valid token passes (the Connect frame in the body is then checked by the session, as
 * on a WebSocket); after it, the token's {@code sub} must be the session's user, and a refreshed token works as well
 * as the one the session connected with. Thread-safe.
 */
final class PostAuthorization {
    private static final String BEARER = "Bearer ";

    /** Why a POST is refused, as the HTTP status and text it is answered with. */
    record Refusal(Status status, String message) {
    }

    private final Supplier<TokenVerifier> verifier;

    /** @param verifier the gateway's client token verifier (there once the gateway takes connections) */
    PostAuthorization(Supplier<TokenVerifier> verifier) {
        this.verifier = verifier;
    }

    /**
     * @param authorization the request's {@code Authorization} header
     * @param sessionUser   the session's user; empty before Connect
     * @return why the POST is refused; empty when it may post
     */
    Optional<Refusal> check(Optional<String> authorization, String sessionUser) {
        String header = authorization.orElse("");
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.of(new Refusal(Status.UNAUTHORIZED_401,
                    "Authorization: (expected: Bearer <the token of the stream's user>)"));
        }
        VerifiedToken token;
        try {
            token = verifier.get().verify(header.substring(BEARER.length()).strip());
        } catch (AuthException e) {
            // The key set cannot be read: not the client's fault.
            Status status = e.code() == ErrorCode.SERVER_ERROR ? Status.SERVICE_UNAVAILABLE_503 : Status.UNAUTHORIZED_401;
            return Optional.of(new Refusal(status, e.getMessage()));
        }
        if (!sessionUser.isEmpty() && !sessionUser.equals(token.userId())) {
            return Optional.of(new Refusal(Status.FORBIDDEN_403, "token names another user than the stream's"));
        }
        return Optional.empty();
    }
}
