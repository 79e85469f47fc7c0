package io.switchboard.bench;

import java.net.URI;
import java.util.List;

/**
 * A running system the load generator drives: WebSocket endpoints speaking the Switchboard wire protocol and
 * the tokens they accept. Closing it stops everything it started.
 */
public interface BenchTarget extends AutoCloseable {
    /** A short name for the result table. */
    String name();

    /** The WebSocket endpoints; clients are spread over them. */
    List<URI> endpoints();

    /** A token the endpoints accept for {@code user}. */
    String token(String user);

    /** Stops what this target started; safe to call more than once. */
    @Override
    void close();
}
