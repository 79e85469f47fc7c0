package io.switchboard.service.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void clear() {
        LogContext.clearSession();
    }

    @Test
    void jsonLinesCarryTheThreadsSessionAndTraceIdsAndParse() throws Exception {
        LogContext.session("s-1");
        LogContext.Scope trace = LogContext.trace("4bf92f3577b34da6a3ce929d0e0e4736");
        String line;
        try {
            line = LogFormat.formatter("json").format(record("published \"x\" to {0}", "chat:a"));
        } finally {
            trace.close();
        }

        assertThat(line).endsWith(System.lineSeparator()).doesNotContain("\n{");
        JsonNode json = JSON.readTree(line);
        assertThat(json.get("message").asText()).isEqualTo("published \"x\" to chat:a");
        assertThat(json.get("level").asText()).isEqualTo("WARNING");
        assertThat(json.get("logger").asText()).isEqualTo("test.logger");
        assertThat(json.get("session_id").asText()).isEqualTo("s-1");
        assertThat(json.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(json.has("exception")).isFalse();
    }

    @Test
    void jsonLeavesOutIdsTheLineDoesNotHaveAndKeepsTheStackTrace() throws Exception {
        LogRecord record = record("failed", null);
        record.setThrown(new IllegalStateException("boom"));

        JsonNode json = JSON.readTree(LogFormat.formatter("json").format(record));

        assertThat(json.has("session_id")).isFalse();
        assertThat(json.has("trace_id")).isFalse();
        assertThat(json.get("exception").asText()).contains("IllegalStateException: boom");
    }

    @Test
    void textPutsTheIdsAfterTheMessageOnlyWhileTheyAreSet() {
        LogContext.session("s-2");
        LogContext.Scope trace = LogContext.trace("0af7651916cd43dd8448eb211c80319c");
        try {
            assertThat(LogFormat.formatter("text").format(record("hello", null)))
                    .contains("hello [trace_id=0af7651916cd43dd8448eb211c80319c session_id=s-2]");
        } finally {
            trace.close();
        }
        assertThat(LogFormat.formatter("text").format(record("hello", null))).contains("hello [session_id=s-2]");
        LogContext.clearSession();
        assertThat(LogFormat.formatter("text").format(record("hello", null))).doesNotContain("[");
    }

    @Test
    void aNestedTraceRestoresTheOuterOne() {
        LogContext.Scope outer = LogContext.trace("outer");
        LogContext.Scope inner = LogContext.trace("inner");
        assertThat(LogContext.get(LogContext.TRACE_ID)).isEqualTo("inner");
        inner.close();
        assertThat(LogContext.get(LogContext.TRACE_ID)).isEqualTo("outer");
        outer.close();
        assertThat(LogContext.get(LogContext.TRACE_ID)).isNull();
    }

    @Test
    void anUnknownFormatIsRefused() {
        assertThatThrownBy(() -> LogFormat.formatter("xml")).hasMessage("log-format: xml (expected: text or json)");
    }

    private static LogRecord record(String message, Object parameter) {
        LogRecord record = new LogRecord(Level.WARNING, message);
        record.setLoggerName("test.logger");
        if (parameter != null) {
            record.setParameters(new Object[] {parameter});
        }
        return record;
    }
}
