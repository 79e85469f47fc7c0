package io.switchboard.gateway.sse;

import java.util.concurrent.locks.ReentrantLock;

import io.switchboard.gateway.ws.ConnectionHandler;

/**
 * One open event stream: its id (where the client posts its frames), the session behind it, and the rule that the
 * session reads one POST at a time. A session takes its frames from one reader at a time, in the order sent; a client
 * that posts while its previous POST is still being read gets HTTP 409 instead of an order nobody chose.
 *
 * <p>Thread-safe: posts arrive on the threads of whatever connections the client uses; the lock is held while a POST's
 * body is read and its frames handed to the session, and given up before the POST is answered, so that the client's
 * next POST (sent on its answer) finds it free.
 */
final class SseStream {
    private final String id;
    private final ConnectionHandler session;
    private final SseFrameSink sink;
    private final ReentrantLock reader = new ReentrantLock();

    SseStream(String id, ConnectionHandler session, SseFrameSink sink) {
        this.id = id;
        this.session = session;
        this.sink = sink;
    }

    String id() {
        return id;
    }

    ConnectionHandler session() {
        return session;
    }

    /**
     * The client leaves ({@code DELETE}): the session ends as when a client closes its WebSocket, and the stream ends
     * without a close event.
     */
    void leave() {
        session.onTransportClosed();
        sink.abort();
    }

    /** Becomes the session's reader; false when another POST is being read. */
    boolean tryRead() {
        return reader.tryLock();
    }

    /** Gives up the reader's turn taken with {@link #tryRead()}; on the same thread. */
    void doneReading() {
        reader.unlock();
    }
}
