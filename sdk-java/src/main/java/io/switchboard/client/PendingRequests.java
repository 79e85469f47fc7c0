package io.switchboard.client;

import io.switchboard.proto.client.v1.ServerFrame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Request ids of the current connection and who waits for each answer (Subscribed, Unsubscribed, Ack,
 * Error, HistoryPage, PresencePage all echo the id). Ids are non-zero and wrap around. Not thread-safe:
 * event loop only.
 */
final class PendingRequests {
    /** Someone waiting for an answer. */
    interface Handler {
        void onAnswer(ServerFrame frame);

        /** The connection was lost before the answer came. */
        void onLost();
    }

    private final Map<Integer, Handler> pending = new HashMap<>();
    private int lastId;

    /** Registers {@code handler} under a fresh request id and returns the id. */
    int register(Handler handler) {
        do {
            lastId++;
            if (lastId == 0) {
                lastId = 1;
            }
        } while (pending.containsKey(lastId));
        pending.put(lastId, handler);
        return lastId;
    }

    static Handler of(Consumer<ServerFrame> onAnswer, Runnable onLost) {
        return new Handler() {
            @Override
            public void onAnswer(ServerFrame frame) {
                onAnswer.accept(frame);
            }

            @Override
            public void onLost() {
                onLost.run();
            }
        };
    }

    /** Hands {@code frame} to the handler waiting for {@code requestId}; returns false when none waits. */
    boolean answer(int requestId, ServerFrame frame) {
        Handler handler = pending.remove(requestId);
        if (handler == null) {
            return false;
        }
        handler.onAnswer(frame);
        return true;
    }

    /** Stops waiting for {@code requestId} (e.g. it timed out). */
    void forget(int requestId) {
        pending.remove(requestId);
    }

    /** The connection is gone: every waiting handler is told. */
    void connectionLost() {
        List<Handler> handlers = new ArrayList<>(pending.values());
        pending.clear();
        handlers.forEach(Handler::onLost);
    }

    int size() {
        return pending.size();
    }
}
