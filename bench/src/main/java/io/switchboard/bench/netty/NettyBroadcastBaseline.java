package io.switchboard.bench.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.switchboard.bench.baseline.BaselineRooms;
import io.switchboard.bench.baseline.BroadcastServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * The Netty baseline: one bare Netty WebSocket server that broadcasts each publish to the in-memory subscribers of
 * its room, speaking what the Helidon baseline speaks ({@link io.switchboard.bench.baseline}): binary or JSON,
 * connect (any token), subscribe, unsubscribe, publish with ack, ping. No authentication, no router, no Kafka,
 * no durability. Epoll when available, NIO otherwise; accepting and I/O share one group of event loops. A
 * subscriber more than 1 MiB behind is closed with 3001. Thread-safe.
 */
public final class NettyBroadcastBaseline implements BroadcastServer {
    private static final WriteBufferWaterMark OUTBOUND_LIMIT = new WriteBufferWaterMark(512 * 1024, 1024 * 1024);
    private static final int ACCEPT_BACKLOG = 4096;

    private final BaselineRooms<NettyBaselineConnection> rooms = new BaselineRooms<>();
    private final Object lifecycle = new Object();
    // guarded by lifecycle
    private EventLoopGroup loops;
    // guarded by lifecycle
    private Channel server;
    // guarded by lifecycle
    private EventLoopTransport transport;

    /** Creates a stopped server. */
    public NettyBroadcastBaseline() {
    }

    /** Binds loopback on a free port with one event loop per core; fails if already started. */
    public NettyBroadcastBaseline start() {
        return start(0, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Binds loopback on {@code port} (0: a free one) with {@code threads} event loops and starts serving
     * {@code /ws}; fails if already started.
     */
    public NettyBroadcastBaseline start(int port, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: > 0)");
        }
        synchronized (lifecycle) {
            if (transport != null) {
                throw new IllegalStateException("Already started");
            }
            transport = EventLoopTransport.best();
            loops = transport.eventLoops(threads);
            try {
                server = new ServerBootstrap()
                        .group(loops)
                        .channel(transport.serverChannel())
                        .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, OUTBOUND_LIMIT)
                        .childHandler(new BaselineChannelInitializer(rooms))
                        .bind("127.0.0.1", port).syncUninterruptibly().channel();
            } catch (RuntimeException e) {
                loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
                throw e;
            }
            return this;
        }
    }

    /** The I/O transport in use: {@code epoll} or {@code nio}. */
    public String transport() {
        synchronized (lifecycle) {
            return requireStarted().name();
        }
    }

    @Override
    public URI webSocketUri() {
        synchronized (lifecycle) {
            requireStarted();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            return URI.create("ws://127.0.0.1:" + port + BaselineChannelInitializer.PATH);
        }
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (server != null) {
                server.close().syncUninterruptibly();
                loops.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS).syncUninterruptibly();
                server = null;
            }
        }
    }

    private EventLoopTransport requireStarted() {
        if (server == null) {
            throw new IllegalStateException("Not started");
        }
        return transport;
    }
}
