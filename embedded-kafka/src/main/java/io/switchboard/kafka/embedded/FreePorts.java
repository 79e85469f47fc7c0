package io.switchboard.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks free TCP ports on the loopback address by binding port-0 server sockets briefly.
 *
 * <p>All sockets stay open until every port is chosen, so one call never returns the same port twice. A port can
 * still be taken by another process between this call and Kafka binding it; that race is accepted for tests and
 * local runs. Thread-safe (stateless).
 */
final class FreePorts {

    private FreePorts() {
    }

    /** Returns {@code count} distinct ports that were free on {@code address} a moment ago. */
    static List<Integer> pick(InetAddress address, int count) {
        List<ServerSocket> sockets = new ArrayList<>(count);
        try {
            List<Integer> ports = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, address);
                sockets.add(socket);
                ports.add(socket.getLocalPort());
            }
            return List.copyOf(ports);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pick " + count + " free ports on " + address, e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // Closing a never-accepted listening socket does not fail in practice; keep the first error.
                    System.getLogger(FreePorts.class.getName())
                            .log(System.Logger.Level.DEBUG, "closing probe socket failed", e);
                }
            }
        }
    }
}
