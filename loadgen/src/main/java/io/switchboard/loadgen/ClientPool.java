package io.switchboard.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateClientExtensionHandshaker;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.io.UncheckedIOException;
import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The WebSocket clients of one worker process on a few Netty event-loop threads (epoll when available).
 * {@link #connectAll} opens the worker's share of the plan with at most {@code plan.connectWindow()} handshakes
 * in flight. The share's tokens are signed when the pool is built, before the first attempt: an application's
 * clients arrive with tokens from its auth server, so signing them is not part of the connect rate (nor of the
 * generator's CPU beside it). Thread-safe.
 */
final class ClientPool implements AutoCloseable {
    private static final int MAX_FRAME = 1 << 20;
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 30_000;

    /** The outcome of a connect phase. */
    record ConnectReport(int ok, int failed, long firstStart, long lastReady, String firstFailure) {
    }

    private final Plan plan;
    private final int worker;
    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelType;
    /** The token of client {@code worker + i * plan.workers()} at index i. */
    private final List<String> tokens;
    private final List<LoadConnection> connections = new ArrayList<>();
    private final AtomicReference<StepRecorder> recorder = new AtomicReference<>();
    private final LongAdder drops = new LongAdder();
    /** For {@code wss://} URLs (null when the plan has none): one context, so TLS sessions are set up alike. */
    private final SslContext tls;

    ClientPool(Plan plan, int worker, int ioThreads) {
        this.plan = plan;
        this.worker = worker;
        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(ioThreads,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.tokens = signTokens(plan, worker);
        this.tls = plan.urls().stream().anyMatch(ClientPool::secure) ? tls(plan.caFile()) : null;
    }

    private static boolean secure(URI url) {
        return "wss".equalsIgnoreCase(url.getScheme());
    }

    /** A client context that verifies the server's certificate and host name against {@code caFile}'s CAs. */
    private static SslContext tls(String caFile) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
            if (caFile != null) {
                builder.trustManager(new File(caFile));
            }
            return builder.build();
        } catch (SSLException e) {
            throw new UncheckedIOException("--ca-file " + caFile + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--ca-file " + caFile + ": " + e.getMessage(), e);
        }
    }

    /** The URL's port, or its scheme's (80 for ws://, 443 for wss://). */
    static int port(URI url) {
        return url.getPort() >= 0 ? url.getPort() : secure(url) ? 443 : 80;
    }

    private static List<String> signTokens(Plan plan, int worker) {
        Tokens signer = new Tokens(plan.tokens());
        List<String> signed = new ArrayList<>();
        for (int client = worker; client < plan.clients(); client += plan.workers()) {
            int room = plan.roomOf(client);
            signed.add(signer.token(plan.userOf(client), room < 0 ? null : plan.roomName(room)));
        }
        return List.copyOf(signed);
    }

    /**
     * permessage-deflate as a browser offers it ({@code client_max_window_bits}), accepting what a server may answer
     * unasked: {@code client_no_context_takeover} (RFC 7692 section 7.1.1.2; Netty's default refuses it) and
     * {@code server_no_context_takeover}. The client compresses what it sends, as browsers do.
     */
    private static ChannelHandler compression() {
        return new WebSocketClientExtensionHandler(new PerMessageDeflateClientExtensionHandshaker(6,
                ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(), 15, true, false, MAX_FRAME));
    }

    /** Opens every client of this worker; returns when each is ready or failed. */
    ConnectReport connectAll() throws InterruptedException {
        Semaphore window = new Semaphore(plan.connectWindow());
        List<LoadConnection> mine = new ArrayList<>();
        long firstStart = System.nanoTime();
        for (int client = worker; client < plan.clients(); client += plan.workers()) {
            window.acquire();
            LoadConnection connection = open(client);
            mine.add(connection);
            connection.ready().whenComplete((t, e) -> window.release());
        }
        int ok = 0;
        int failed = 0;
        long lastReady = firstStart;
        String firstFailure = null;
        for (LoadConnection c : mine) {
            try {
                long t = c.ready().get(HANDSHAKE_TIMEOUT_MILLIS * 2, TimeUnit.MILLISECONDS);
                ok++;
                lastReady = Math.max(lastReady, t);
                synchronized (connections) {
                    connections.add(c);
                }
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                failed++;
                if (firstFailure == null) {
                    firstFailure = "client " + c.client() + ": " + (e.getCause() == null ? e : e.getCause());
                }
                c.close();
            }
        }
        return new ConnectReport(ok, failed, firstStart, lastReady, firstFailure);
    }

    private LoadConnection open(int client) {
        URI uri = plan.urls().get(plan.urlOf(client));
        String token = tokens.get((client - worker) / plan.workers());
        LoadConnection connection = new LoadConnection(plan, client, token,
                recorder::get, drops::increment);
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .subprotocol(plan.token())
                .version(WebSocketVersion.V13)
                .handleCloseFrames(false)
                .handshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS)
                .maxFramePayloadLength(MAX_FRAME)
                .allowExtensions(plan.compress()) // RSV1 on compressed frames
                .customHeaders(new DefaultHttpHeaders())
                .build();
        Bootstrap bootstrap = new Bootstrap().group(group).channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) HANDSHAKE_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (secure(uri)) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), uri.getHost(), port(uri)));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
                                new WireMeter(recorder::get));
                        if (plan.compress()) {
                            ch.pipeline().addLast(compression());
                        }
                        ch.pipeline().addLast(new WebSocketClientProtocolHandler(config), connection);
                    }
                });
        InetSocketAddress remote = new InetSocketAddress(uri.getHost(), port(uri));
        ChannelFuture f = plan.bindsSource(remote.getAddress())
                ? bootstrap.connect(remote, new InetSocketAddress(plan.sourceAddress(client), 0))
                : bootstrap.connect(remote);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                connection.fail(done.cause());
            }
        });
        return connection;
    }

    /** The ready connections of this worker. */
    List<LoadConnection> connections() {
        synchronized (connections) {
            return List.copyOf(connections);
        }
    }

    /** From now on deliveries and acks are recorded into {@code r} (null: ignored). */
    void record(StepRecorder r) {
        recorder.set(r);
    }

    /** Connections the server closed after they were ready. */
    long drops() {
        return drops.sum();
    }

    /** Ready connections still open. */
    int open() {
        int n = 0;
        for (LoadConnection c : connections()) {
            if (c.isOpen()) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        for (LoadConnection c : connections()) {
            c.close();
        }
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
