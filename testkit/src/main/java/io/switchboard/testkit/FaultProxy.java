package io.switchboard.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fault-injecting TCP proxy on loopback, placed between two tiers (a gateway and a router) so a test can
 * degrade the network between exactly those two: {@link #delay} adds latency to every chunk in both
 * directions, {@link #blackhole} stops forwarding without closing anything (packets vanish, as with a
 * partition or a dead host: only timeouts and keepalives notice), {@link #reset} closes every connection
 * and refuses new ones (as with a crashed peer), and {@link #heal} restores normal forwarding.
 *
 * <p>One virtual thread accepts and two pump each connection. Thread-safe.
 */
public final class FaultProxy implements AutoCloseable {
    /** What the proxy does with traffic right now. */
    public enum Mode { PASS, BLACKHOLE, RESET }

    private static final int CHUNK = 16 * 1024;

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition flowing = lock.newCondition();
    // guarded by lock
    private Mode mode = Mode.PASS;
    // guarded by lock
    private Duration delay = Duration.ZERO;
    private volatile boolean closed;

    private FaultProxy(ServerSocket server, InetSocketAddress upstream) {
        this.server = server;
        this.upstream = upstream;
    }

    /** Starts a proxy on a free loopback port that forwards to {@code upstreamHost:upstreamPort}. */
    public static FaultProxy start(String upstreamHost, int upstreamPort) {
        try {
            ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
            FaultProxy proxy = new FaultProxy(server, new InetSocketAddress(upstreamHost, upstreamPort));
            Thread.ofVirtual().name("fault-proxy-accept-" + server.getLocalPort()).start(proxy::acceptLoop);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a proxy port", e);
        }
    }

    /** The port clients connect to instead of the upstream's. */
    public int port() {
        return server.getLocalPort();
    }

    /** "127.0.0.1:port", the address to configure in place of the upstream's. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Forwards normally again (and wakes pumps held by a blackhole). */
    public void heal() {
        set(Mode.PASS, Duration.ZERO);
    }

    /** Forwards every chunk after {@code latency}, in both directions. */
    public void delay(Duration latency) {
        set(Mode.PASS, latency);
    }

    /** Keeps connections open but forwards nothing, and accepts new connections that then hear nothing. */
    public void blackhole() {
        set(Mode.BLACKHOLE, Duration.ZERO);
    }

    /** Closes every proxied connection and refuses new ones until {@link #heal}. */
    public void reset() {
        set(Mode.RESET, Duration.ZERO);
        sockets.forEach(FaultProxy::closeQuietly);
    }

    /** The current mode. */
    public Mode mode() {
        lock.lock();
        try {
            return mode;
        } finally {
            lock.unlock();
        }
    }

    private void set(Mode newMode, Duration newDelay) {
        lock.lock();
        try {
            mode = newMode;
            delay = newDelay;
            flowing.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    System.getLogger(FaultProxy.class.getName()).log(System.Logger.Level.WARNING, "accept failed", e);
                }
                return;
            }
            if (mode() == Mode.RESET) {
                closeQuietly(client);
                continue;
            }
            Thread.ofVirtual().name("fault-proxy-connect-" + port()).start(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        Socket target = new Socket();
        sockets.add(client);
        sockets.add(target);
        try {
            target.connect(upstream, 5_000);
            client.setTcpNoDelay(true);
            target.setTcpNoDelay(true);
        } catch (IOException e) {
            closePair(client, target);
            return;
        }
        Thread.ofVirtual().name("fault-proxy-up-" + port()).start(() -> pump(client, target));
        Thread.ofVirtual().name("fault-proxy-down-" + port()).start(() -> pump(target, client));
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[CHUNK];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (!awaitForwarding()) {
                    break;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (SocketException e) {
            // The peer or reset() closed the connection: normal end of a proxied connection.
        } catch (IOException e) {
            System.getLogger(FaultProxy.class.getName()).log(System.Logger.Level.DEBUG, "pump ended", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closePair(from, to);
        }
    }

    /** Waits while blackholed, then applies the delay; false when the chunk must be dropped with the connection. */
    private boolean awaitForwarding() throws InterruptedException {
        Duration latency;
        lock.lock();
        try {
            while (mode == Mode.BLACKHOLE && !closed) {
                flowing.await();
            }
            if (mode == Mode.RESET || closed) {
                return false;
            }
            latency = delay;
        } finally {
            lock.unlock();
        }
        if (!latency.isZero()) {
            // Simulated network latency, not test synchronisation.
            Thread.sleep(latency);
        }
        return true;
    }

    private void closePair(Socket a, Socket b) {
        closeQuietly(a);
        closeQuietly(b);
        sockets.remove(a);
        sockets.remove(b);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            System.getLogger(FaultProxy.class.getName()).log(System.Logger.Level.DEBUG, "close failed", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        set(Mode.RESET, Duration.ZERO);
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            sockets.forEach(FaultProxy::closeQuietly);
        }
    }
}
