package io.switchboard.service.telemetry;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The log format of a tier process ({@code <tier>.log-format}): sets the formatter of the root logger's handlers,
 * once the configuration is read (lines logged before that keep the handlers' own format).
 * <ul>
 *   <li>{@code text}: the handlers' line format ({@code java.util.logging.SimpleFormatter.format}) with the line's
 *       {@link LogContext} ids after the message: {@code ... message [trace_id=... session_id=...]};</li>
 *   <li>{@code json}: one JSON object per line, written with Jackson: {@code time} (ISO-8601, UTC), {@code level},
 *       {@code logger}, {@code thread}, {@code message}, {@code trace_id} and {@code session_id} when the line has
 *       them, {@code exception} (the stack trace) when it has one.</li>
 * </ul>
 */
public final class LogFormat {
    private LogFormat() {
    }

    /**
     * Formats every root handler's lines as {@code format} says.
     *
     * @throws IllegalArgumentException when {@code format} is neither {@code text} nor {@code json}
     */
    public static void apply(String format) {
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            handler.setFormatter(formatter(format));
        }
    }

    /** A new formatter for {@code format}. */
    static Formatter formatter(String format) {
        return switch (format) {
            case "text" -> new WithContext();
            case "json" -> new Json();
            default -> throw new IllegalArgumentException("log-format: " + format + " (expected: text or json)");
        };
    }

    /** The simple format, with the line's trace and session ids after the message when it has them. */
    static final class WithContext extends SimpleFormatter {
        @Override
        public String formatMessage(LogRecord record) {
            String message = super.formatMessage(record);
            String trace = LogContext.get(LogContext.TRACE_ID);
            String session = LogContext.get(LogContext.SESSION_ID);
            if (trace == null && session == null) {
                return message;
            }
            StringBuilder line = new StringBuilder(message).append(" [");
            if (trace != null) {
                line.append(LogContext.TRACE_ID).append('=').append(trace);
            }
            if (session != null) {
                line.append(trace != null ? " " : "").append(LogContext.SESSION_ID).append('=').append(session);
            }
            return line.append(']').toString();
        }
    }

    /** One JSON object per line. */
    static final class Json extends Formatter {
        private static final JsonFactory JSON = new JsonFactory();

        @Override
        public String format(LogRecord record) {
            StringWriter out = new StringWriter(256);
            try (JsonGenerator json = JSON.createGenerator(out)) {
                json.writeStartObject();
                json.writeStringField("time", record.getInstant().toString());
                json.writeStringField("level", record.getLevel().getName());
                json.writeStringField("logger", record.getLoggerName());
                Thread thread = Thread.currentThread();
                // Virtual threads are mostly unnamed: then their id.
                json.writeStringField("thread", thread.getName().isEmpty() ? "#" + thread.threadId() : thread.getName());
                json.writeStringField("message", formatMessage(record));
                String trace = LogContext.get(LogContext.TRACE_ID);
                if (trace != null) {
                    json.writeStringField(LogContext.TRACE_ID, trace);
                }
                String session = LogContext.get(LogContext.SESSION_ID);
                if (session != null) {
                    json.writeStringField(LogContext.SESSION_ID, session);
                }
                if (record.getThrown() != null) {
                    StringWriter stack = new StringWriter();
                    record.getThrown().printStackTrace(new PrintWriter(stack));
                    json.writeStringField("exception", stack.toString());
                }
                json.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a StringWriter does not fail
            }
            return out.append(System.lineSeparator()).toString();
        }
    }
}
