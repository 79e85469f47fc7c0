package io.switchboard.gateway.warmup;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.nimbusds.jwt.JWTClaimsSet;
import io.switchboard.auth.TokenSigner;
import io.switchboard.gateway.ws.Subprotocol;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.ServerFrame;

/**
 * Connects to the gateway's own WebSocket port over loopback before it reports ready, so that the JIT compiles the
 * connect path on connections of its own rather than on the first clients' (docs/performance.md, "Round 20"): the
 * socket accept, the HTTP upgrade, Helidon's WebSocket framing, the Connect frame in both subprotocols, the token
 * check, the presence report, the Connected frame and the close. Round 18 warmed the session alone, in memory, and
 * gained nothing: the fresh JVM's compilers were busy with the transport, which only real connections reach.
 *
 * <p>Each listener (the main port, and the Netty listener when there is one) gets the configured count of
 * connections, in turn. Each connection carries {@link #PASS_HEADER} with a secret made for this start (the gateway
 * admits upgrades before ready only with it), offers one subprotocol (JSON and binary in turn on each listener),
 * sends a Connect frame with a token for a user of its own ({@value #USER_PREFIX}{@code <n>}), waits for Connected
 * and closes with 1000. The tokens are signed with the gateway's own HS256 secret, so the token check is the one
 * clients get; the connections join no room. Up to {@value #IN_FLIGHT} are open at once; they take no place under
 * the gateway's connection caps (they are not clients, and all come from one loopback address).
 *
 * <p>Bounded: it stops at the configured count, at the first connection that does not reach Connected (its close
 * code and reason are the result's failure), or at the deadline, and {@link #run} returns by the deadline in every
 * case. Not thread-safe: one {@link #run} per instance.
 */
public final class ConnectWarmUp {
    /** The upgrade header that lets a warm-up connection past the gateway's admission before it is ready. */
    public static final String PASS_HEADER = "Switchboard-Warm-Up";
    /** The prefix of the warm-up connections' user ids (each connection a user of its own: no per-user cap). */
    public static final String USER_PREFIX = "switchboard-warm-up-";
    /** Connections open at once: enough to keep the accept and upgrade path busy on two cores. */
    static final int IN_FLIGHT = 32;
    /**
     * Connects of a warm-up in a JVM where one already ran to its count (the launcher's second gateway): the code is
     * compiled, so a few connections only check that this gateway's port admits them.
     */
    static final int REPEAT_CONNECTS = 20;
    private static final AtomicBoolean WARMED_IN_THIS_JVM = new AtomicBoolean();
    private static final Duration TOKEN_LIFETIME = Duration.ofMinutes(10);
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser JSON_READER = JsonFormat.parser().ignoringUnknownFields();

    /** How many connects, and for how long at most. */
    public record Settings(int connects, Duration maxDuration) {
        public Settings {
            if (connects < 0) {
                throw new IllegalArgumentException("connects: " + connects + " (expected: >= 0)");
            }
            Objects.requireNonNull(maxDuration, "maxDuration");
        }
    }

    /**
     * What one warm-up did.
     *
     * @param planned   connections it set out to open, over every listener
     * @param connected of those, connections that reached Connected
     * @param took      from start to the last close, or to the deadline
     * @param failure   why it stopped early, when it did
     * @param deadline  whether it was the deadline that stopped it (nothing failed: the machine was slow)
     */
    public record Result(int planned, int connected, Duration took, Optional<String> failure, boolean deadline) {
        public boolean complete() {
            return failure.isEmpty();
        }
    }

    private final List<URI> uris;
    private final String pass;
    private final IntFunction<String> tokens;
    private final Settings settings;
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final AtomicBoolean deadlineReached = new AtomicBoolean();

    /**
     * @param uris     the gateway's own WebSocket URLs on loopback ({@code ws://127.0.0.1:PORT/ws}), one per listener
     * @param pass     the value of {@link #PASS_HEADER} the gateway admits before it is ready
     * @param tokens   the token of warm-up connection {@code n}
     * @param settings the connections per listener, and the deadline of the whole warm-up
     */
    public ConnectWarmUp(List<URI> uris, String pass, IntFunction<String> tokens, Settings settings) {
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("uris: [] (expected: at least one)");
        }
        this.uris = List.copyOf(uris);
        this.pass = Objects.requireNonNull(pass, "pass");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Tokens for warm-up connection {@code n}: user {@value #USER_PREFIX}{@code n}, valid for ten minutes, signed
     * with {@code hs256Secret}, with {@code iss} and {@code aud} when the gateway asks for them.
     */
    public static IntFunction<String> hs256Tokens(String hs256Secret, Optional<String> issuer,
                                                  Optional<String> audience, Clock clock) {
        TokenSigner signer = TokenSigner.hs256(hs256Secret);
        return n -> {
            Instant now = clock.instant();
            JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(USER_PREFIX + n)
                    .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(TOKEN_LIFETIME)));
            issuer.ifPresent(claims::issuer);
            audience.ifPresent(claims::audience);
            return signer.sign(claims.build());
        };
    }

    /** Opens and closes the connections, until done or the deadline; never throws (a failure is in the result). */
    public Result run() {
        long start = System.nanoTime();
        long deadline = start + settings.maxDuration().toNanos();
        int perListener = WARMED_IN_THIS_JVM.get() ? Math.min(REPEAT_CONNECTS, settings.connects())
                : settings.connects();
        int planned = perListener * uris.size();
        AtomicInteger connected = new AtomicInteger();
        Semaphore window = new Semaphore(IN_FLIGHT);
        HttpClient client = HttpClient.newBuilder().connectTimeout(settings.maxDuration()).build();
        try {
            for (int n = 0; n < planned && failure.get() == null; n++) {
                if (!window.tryAcquire(remaining(deadline), TimeUnit.NANOSECONDS)) {
                    stoppedByDeadline();
                    break;
                }
                open(client, n, connected).whenComplete((ignored, error) -> window.release());
            }
            // The last connections: every permit back.
            if (!window.tryAcquire(IN_FLIGHT, remaining(deadline), TimeUnit.NANOSECONDS)) {
                stoppedByDeadline();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, "interrupted");
        } finally {
            client.shutdownNow();
        }
        if (failure.get() == null || deadlineReached.get()) {
            WARMED_IN_THIS_JVM.set(true);
        }
        return new Result(planned, connected.get(), Duration.ofNanos(System.nanoTime() - start),
                Optional.ofNullable(failure.get()), deadlineReached.get());
    }

    /** Connection {@code n}: completes once it is closed, whatever happened. */
    private CompletableFuture<Void> open(HttpClient client, int n, AtomicInteger connected) {
        Subprotocol subprotocol = (n / uris.size()) % 2 == 0 ? Subprotocol.JSON : Subprotocol.PROTO;
        Connection listener = new Connection(subprotocol, tokens.apply(n), connected);
        client.newWebSocketBuilder()
                .header(PASS_HEADER, pass)
                .subprotocols(subprotocol.token())
                .buildAsync(uris.get(n % uris.size()), listener)
                .whenComplete((ws, error) -> {
                    if (error != null) {
                        listener.fail("upgrade failed: " + error);
                    }
                });
        return listener.closed;
    }

    private void stoppedByDeadline() {
        if (failure.compareAndSet(null, "not done within " + settings.maxDuration())) {
            deadlineReached.set(true);
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /** One warm-up connection: Connect, wait for Connected, close; any other turn is the warm-up's failure. */
    private final class Connection implements WebSocket.Listener {
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final Subprotocol subprotocol;
        private final String token;
        private final AtomicInteger connected;
        private final StringBuilder text = new StringBuilder();
        private ByteBuffer binary = ByteBuffer.allocate(0);
        private boolean sawConnected;

        Connection(Subprotocol subprotocol, String token, AtomicInteger connected) {
            this.subprotocol = subprotocol;
            this.token = token;
            this.connected = connected;
        }

        @Override
        public void onOpen(WebSocket ws) {
            ClientFrame frame = ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(token)
                    .setClient("switchboard-gateway-warm-up")).build();
            try {
                CompletableFuture<WebSocket> sent = subprotocol == Subprotocol.JSON
                        ? ws.sendText(JSON.print(frame), true)
                        : ws.sendBinary(ByteBuffer.wrap(frame.toByteArray()), true);
                sent.whenComplete((w, error) -> {
                    if (error != null) {
                        fail("Connect not sent: " + error);
                        ws.abort();
                    }
                });
            } catch (InvalidProtocolBufferException e) {
                fail("Connect not encoded: " + e.getMessage());
                ws.abort();
                return;
            }
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                ServerFrame.Builder frame = ServerFrame.newBuilder();
                try {
                    JSON_READER.merge(text.toString(), frame);
                } catch (InvalidProtocolBufferException e) {
                    frame.clear();
                }
                text.setLength(0);
                received(ws, frame.build());
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            ByteBuffer joined = ByteBuffer.allocate(binary.remaining() + data.remaining());
            binary = joined.put(binary).put(data).flip();
            if (last) {
                ServerFrame frame;
                try {
                    frame = ServerFrame.parseFrom(binary);
                } catch (InvalidProtocolBufferException e) {
                    frame = ServerFrame.getDefaultInstance();
                }
                binary = ByteBuffer.allocate(0);
                received(ws, frame);
            }
            ws.request(1);
            return null;
        }

        private void received(WebSocket ws, ServerFrame frame) {
            if (sawConnected) {
                return; // anything the gateway sends after Connected (none is expected) is not the warm-up's business
            }
            if (!frame.hasConnected()) {
                fail("first frame " + frame.getFrameCase() + " (expected: CONNECTED)"
                        + (frame.hasError() ? ": " + frame.getError().getCode() + " " + frame.getError().getMessage()
                        : ""));
                ws.abort();
                return;
            }
            sawConnected = true;
            connected.incrementAndGet();
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "warm-up");
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            if (!sawConnected) {
                fail("closed " + statusCode + " " + reason + " before Connected");
            }
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            if (!sawConnected) {
                fail(error.toString());
            }
            closed.complete(null);
        }

        void fail(String why) {
            failure.compareAndSet(null, "warm-up connection: " + why);
            closed.complete(null);
        }
    }
}
