package io.switchboard.service;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks loopback ports for a server whose address others must know before it starts (a child process, or a
 * tier whose address goes into another tier's config first).
 *
 * <p>Ports come from below the kernel's ephemeral range (Linux default 32768-60999): a port picked inside it and
 * bound a moment later can be taken in between by any outgoing connection (a Kafka client, a gRPC channel),
 * which happened in multi-process tests. Ports in [{@value #LOW}, {@value #HIGH}) are never given to outgoing
 * connections, each is checked to be bindable now, and this JVM never hands out the same port twice.
 * Thread-safe.
 */
public final class LoopbackPorts {
    static final int LOW = 20_000;
    static final int HIGH = 32_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private LoopbackPorts() {
    }

    /** A port that is free on 127.0.0.1 now, outside the ephemeral range, not handed out before by this JVM. */
    public static int pick() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (HANDED_OUT.add(port) && bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port in [" + LOW + ", " + HIGH + ") after 1000 attempts");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
