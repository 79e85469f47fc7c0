package io.switchboard.bench;

import java.net.URI;
import java.util.List;

/** The {@link BroadcastBaseline} as a target; it accepts any token. Closing it stops the server. */
final class BaselineTarget implements BenchTarget {
    private final BroadcastBaseline server;

    BaselineTarget(BroadcastBaseline server) {
        this.server = server;
    }

    @Override
    public String name() {
        return "baseline";
    }

    @Override
    public List<URI> endpoints() {
        return List.of(server.webSocketUri());
    }

    @Override
    public String token(String user) {
        return "unchecked-" + user;
    }

    @Override
    public void close() {
        server.close();
    }
}
