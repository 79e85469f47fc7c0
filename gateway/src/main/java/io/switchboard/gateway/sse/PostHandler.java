package io.switchboard.gateway.sse;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.switchboard.gateway.ws.ConnectionHandler;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.service.telemetry.LogContext;

/**
 * {@code POST <path>/<stream>} (client frames into a stream's session) and {@code DELETE <path>/<stream>} (the client
 * leaves). Checks, in order, each answered with its HTTP status: the stream is open (404), the origin (403), the
 * token ({@link PostAuthorization}: 401, 403, or 503 when the gateway cannot read its keys), the declared body size
 * (413, and the session closes 1009 as for an oversized WebSocket message), one POST at a time (409); then the body's
 * frames go to the session ({@link PostedFrames}: 204, or 400 / 413 / 500 with the session closing). Replies to the
 * frames come on the stream, never in the POST's answer. Thread-safe.
 */
final class PostHandler {
    private final SseStreams streams;
    private final OriginRule origins;
    private final PostAuthorization authorization;
    private final PostedFrames frames;
    private final int maxPostBytes;
    private final SseMetrics metrics;

    PostHandler(SseStreams streams, OriginRule origins, PostAuthorization authorization, int maxPostBytes,
                int maxFrameBytes, SseMetrics metrics) {
        this.streams = streams;
        this.origins = origins;
        this.authorization = authorization;
        this.frames = new PostedFrames(maxFrameBytes);
        this.maxPostBytes = maxPostBytes;
        this.metrics = metrics;
    }

    /** {@code POST}: hands the body's frames to the stream's session. */
    void post(ServerRequest req, ServerResponse res) throws IOException {
        Optional<SseStream> stream = authorizedStream(req, res);
        if (stream.isEmpty()) {
            return;
        }
        ConnectionHandler session = stream.get().session();
        if (req.headers().contentLength().orElse(0) > maxPostBytes) {
            answer(res, tooLarge(session));
            return;
        }
        if (!stream.get().tryRead()) {
            answer(res, Status.CONFLICT_409, "another POST of this stream is being read: post one at a time");
            return;
        }
        Answer outcome;
        try {
            LogContext.session(session.id());
            outcome = readAndDeliver(req, session);
        } finally {
            stream.get().doneReading();
            LogContext.clearSession();
        }
        // Answered only once the turn is given up: a client posts its next POST as soon as this one is answered,
        // perhaps on another connection, and must not find this one still reading (409).
        answer(res, outcome);
    }

    /** Reads the body and hands its frames to the session; what to answer. */
    private Answer readAndDeliver(ServerRequest req, ConnectionHandler session) throws IOException {
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            body = in.readNBytes(maxPostBytes + 1);
        }
        if (body.length > maxPostBytes) {
            return tooLarge(session);
        }
        return new Answer(frames.deliver(body, session), "");
    }

    /** {@code DELETE}: the client leaves; the session ends and the stream ends without a close event. */
    void delete(ServerRequest req, ServerResponse res) {
        authorizedStream(req, res).ifPresent(stream -> {
            stream.leave();
            answer(res, Status.NO_CONTENT_204, "");
        });
    }

    /** The stream the request names, if it may act on it; else empty and the refusal sent. */
    private Optional<SseStream> authorizedStream(ServerRequest req, ServerResponse res) {
        Optional<SseStream> stream = streams.find(req.path().pathParameters().get("stream"));
        if (stream.isEmpty()) {
            answer(res, Status.NOT_FOUND_404, "no open stream with this id: open a new one");
            return Optional.empty();
        }
        if (!origins.allows(req)) {
            answer(res, Status.FORBIDDEN_403, "origin not allowed");
            return Optional.empty();
        }
        Optional<PostAuthorization.Refusal> refusal = authorization.check(
                req.headers().first(HeaderNames.AUTHORIZATION), stream.get().session().userId());
        if (refusal.isPresent()) {
            if (refusal.get().status() == Status.UNAUTHORIZED_401) {
                res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
            }
            answer(res, refusal.get().status(), refusal.get().message());
            return Optional.empty();
        }
        return stream;
    }

    /** Closes the session as for an oversized WebSocket message (1009); the POST's answer, 413. */
    private Answer tooLarge(ConnectionHandler session) {
        session.close(ErrorCode.CLOSE_MESSAGE_TOO_BIG, "POST body exceeds " + maxPostBytes + " bytes");
        return new Answer(Status.REQUEST_ENTITY_TOO_LARGE_413, "body exceeds " + maxPostBytes + " bytes");
    }

    private void answer(ServerResponse res, Answer answer) {
        answer(res, answer.status(), answer.text());
    }

    private void answer(ServerResponse res, Status status, String text) {
        metrics.posted(status);
        if (text.isEmpty()) {
            res.status(status).send();
        } else {
            res.status(status).send(text);
        }
    }

    /** A POST's answer: its status and text (empty for none). */
    private record Answer(Status status, String text) {
    }
}
