package io.switchboard.eventstream;

import java.util.Objects;
import java.util.stream.Stream;

/**
 * Turns the lines of a Server-Sent Events stream into events, as the HTML standard's "interpreting an event stream"
 * does: {@code event:} names the event, {@code data:} lines make its data (joined with {@code \n}), a blank line
 * dispatches it, a line starting with {@code :} is a comment (the gateway's heartbeat). One space after a field's
 * colon is dropped; {@code id}, {@code retry} and unknown fields are skipped. An event without data is not
 * dispatched, nor is one the stream ends before its blank line.
 *
 * <p>Not thread-safe: one reader per stream, fed from one thread.
 */
public final class EventStreamReader {
    /** What a stream carries; called on the thread that feeds the reader. */
    public interface Listener {
        /**
         * One complete event.
         *
         * @param type the {@code event:} field, empty when the event has none (the standard's "message")
         * @param data its data lines, joined with {@code \n}
         */
        void onEvent(String type, String data);

        /** A comment line, without its leading colon. */
        default void onComment(String comment) {
        }
    }

    private final Listener listener;
    private final StringBuilder data = new StringBuilder();
    private String type = "";
    private boolean hasData;

    public EventStreamReader(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Reads {@code lines} to their end, in order. What the stream throws (a dropped connection) and what the listener
     * throws propagates.
     */
    public static void read(Stream<String> lines, Listener listener) {
        EventStreamReader reader = new EventStreamReader(listener);
        lines.forEachOrdered(reader::line);
    }

    /** Takes the next line of the stream, without its line ending. */
    public void line(String line) {
        if (line.isEmpty()) {
            dispatch();
            return;
        }
        int colon = line.indexOf(':');
        if (colon == 0) {
            listener.onComment(line.substring(1));
            return;
        }
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(line.startsWith(" ", colon + 1) ? colon + 2 : colon + 1);
        switch (field) {
            case "event" -> type = value;
            case "data" -> {
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
            }
            default -> {
                // id, retry and fields of later versions: not used by these clients.
            }
        }
    }

    private void dispatch() {
        String event = type;
        String content = data.toString();
        boolean dispatch = hasData;
        type = "";
        data.setLength(0);
        hasData = false;
        if (dispatch) {
            listener.onEvent(event, content);
        }
    }
}
