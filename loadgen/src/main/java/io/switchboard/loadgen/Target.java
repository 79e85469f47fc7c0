package io.switchboard.loadgen;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * A running system under test: its name in the tables, its WebSocket URLs, and the server processes whose CPU
 * and RSS are sampled. Immutable.
 */
record Target(String name, List<URI> urls, List<Long> serverPids) {
    Target {
        Objects.requireNonNull(name, "name");
        urls = List.copyOf(urls);
        serverPids = List.copyOf(serverPids);
    }
}
