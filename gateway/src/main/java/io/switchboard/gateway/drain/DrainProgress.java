package io.switchboard.gateway.drain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;

/**
 * A drain's state as {@code GET /admin/drain} reports it. Immutable.
 *
 * @param state     {@code serving} (no drain yet), {@code draining} or {@code drained}
 * @param remaining connections still open
 * @param closed    connections the drain has closed so far
 * @param started   when the drain began; empty while serving
 * @param elapsedMs milliseconds since the start (until the end once drained); 0 while serving
 */
public record DrainProgress(String state, int remaining, int closed, Optional<Instant> started, long elapsedMs) {
    static final ObjectMapper JSON = new ObjectMapper();

    /** No drain has begun. */
    public static DrainProgress serving(int connections) {
        return new DrainProgress("serving", connections, 0, Optional.empty(), 0);
    }

    /** {@code {"state":..,"remaining":..,"closed":..,"started":..|null,"elapsed_ms":..}}. */
    public String toJson() {
        ObjectNode json = JSON.createObjectNode().put("state", state).put("remaining", remaining).put("closed", closed);
        json.put("started", started.map(Instant::toString).orElse(null));
        return json.put("elapsed_ms", elapsedMs).toString();
    }
}
