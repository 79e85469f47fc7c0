package io.switchboard.drill;

import io.switchboard.client.ConnectionState;
import io.switchboard.client.RoomListener;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.testkit.DeliveryChecker;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * A steady load of Java-SDK clients, as an application fleet would produce it: publishers that publish into a
 * room with acknowledgements, {@link #PUBLISH_WINDOW} at a time without waiting for each other's acks (pipelined;
 * on failure they retry the same id, as an app must), and subscribers, each in one room. The checker also
 * verifies that each publisher's messages arrive in the order it sent them. All clients share one scheduler and
 * one HttpClient. Every ack and every delivery goes to a {@link DeliveryChecker} (tolerating ids stored twice by
 * a failover, which the SDK delivers once) and to {@link RecoveryTimes}; a subscriber with a gap is reported with
 * where the gap lies and its last connection-state changes. Thread-safe; close it when done.
 */
public final class LoadDriver implements DrillLoad {
    /** The room pattern every drill room matches ({@code drill-<run>:room-<n>}): what the drill users' tokens grant. */
    public static final String ROOM_PATTERN = "drill-*";

    private static final System.Logger LOG = System.getLogger(LoadDriver.class.getName());
    /**
     * Publishes of one publisher in flight together: each of this many chains publishes, waits for the ack and
     * {@code publishWindow} x {@code publishInterval}, and publishes again, so the rate per publisher stays one per
     * interval while the chains' publishes overlap.
     */
    static final int PUBLISH_WINDOW = 4;
    private static final int CONNECTION_CHANGES_KEPT = 8;

    /**
     * What load to drive.
     *
     * @param url             the WebSocket URL (normally the load balancer's)
     * @param tokens          a token for a user name
     * @param publishers      publishing clients
     * @param subscribers     subscribing clients
     * @param rooms           rooms; publisher i and subscriber i use room i mod rooms
     * @param publishInterval a publisher publishes about once per interval ({@link #PUBLISH_WINDOW} chains, each
     *                        pausing window x interval between an ack and its next publish)
     * @param runId           unique per run: prefixes rooms and message ids
     * @param httpFallback    the clients speak the HTTP fallback (Server-Sent Events and POSTs) instead of WebSockets
     */
    public record Settings(URI url, Function<String, CompletionStage<String>> tokens, int publishers,
                           int subscribers, int rooms, Duration publishInterval, String runId, boolean httpFallback) {
        public Settings {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(tokens, "tokens");
            if (publishers < 1 || subscribers < 1 || rooms < 1 || rooms > Math.min(publishers, subscribers)) {
                throw new IllegalArgumentException("publishers " + publishers + ", subscribers " + subscribers
                        + ", rooms " + rooms + " (expected: >= 1 each, rooms <= both)");
            }
        }

        /** Clients over WebSockets. */
        public Settings(URI url, Function<String, CompletionStage<String>> tokens, int publishers, int subscribers,
                        int rooms, Duration publishInterval, String runId) {
            this(url, tokens, publishers, subscribers, rooms, publishInterval, runId, false);
        }
    }

    private final Settings settings;
    private final ScheduledExecutorService scheduler;
    private final HttpClient http;
    private final DeliveryChecker checker = DeliveryChecker.acrossFailovers();
    private final Clock clock = Clock.systemUTC();
    private final RecoveryTimes recovery = new RecoveryTimes(clock);
    private final List<SwitchboardClient> clients = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final AtomicBoolean publishing = new AtomicBoolean(true);
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicLong publishFailures = new AtomicLong();
    /** Each client's last connection-state changes, to tell what a subscriber with a gap went through. */
    private final Map<String, Deque<String>> connectionChanges = new ConcurrentHashMap<>();

    private LoadDriver(Settings settings, SSLContext tls) {
        this.settings = settings;
        this.scheduler = Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon().name("drill-load-", 0).factory());
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            http.sslContext(tls);
        }
        this.http = http.build();
    }

    /** Connects every client, subscribes the subscribers, then starts the publishers. */
    public static LoadDriver start(Settings settings, Duration timeout) {
        return start(settings, timeout, null);
    }

    /**
     * As {@link #start(Settings, Duration)}, with {@code tls} as the clients' TLS context for a {@code wss://} URL
     * whose certificate comes from a private CA; null for the JDK's default.
     */
    public static LoadDriver start(Settings settings, Duration timeout, SSLContext tls) {
        LoadDriver load = new LoadDriver(settings, tls);
        try {
            load.startClients(timeout);
            return load;
        } catch (RuntimeException | Error e) {
            load.close();
            throw e;
        }
    }

    private void startClients(Duration timeout) {
        // From here on, "recovered" means "has succeeded since the load started": the steady state.
        recovery.faultInjected();
        List<CompletableFuture<?>> ready = new ArrayList<>();
        for (int i = 0; i < settings.subscribers(); i++) {
            String name = "sub-" + i;
            String room = room(i);
            SwitchboardClient client = client(name);
            DeliveryChecker.Subscriber recorder = checker.subscriber(name, Set.of(room));
            recovery.track(name);
            ready.add(client.connect().thenCompose(v -> client.subscribe(room, new RoomListener() {
                @Override
                public void onMessage(Message message) {
                    recorder.received(message);
                    recovery.success(name);
                }

                @Override
                public void onRecoveryFailure(RecoveryFailure failure) {
                    problems.add(name + ": resume could not recover " + room + ": " + failure);
                }

                @Override
                public void onClosed(ErrorCode reason, String message) {
                    problems.add(name + ": subscription to " + room + " ended: " + reason + " " + message);
                }
            }).ready()));
        }
        await(ready, timeout, "subscribers ready");
        List<CompletableFuture<?>> connected = new ArrayList<>();
        List<SwitchboardClient> publishers = new ArrayList<>();
        for (int i = 0; i < settings.publishers(); i++) {
            SwitchboardClient client = client("pub-" + i);
            recovery.track("pub-" + i);
            publishers.add(client);
            connected.add(client.connect());
        }
        await(connected, timeout, "publishers connected");
        for (int i = 0; i < publishers.size(); i++) {
            AtomicLong nextSeq = new AtomicLong();
            for (int chain = 0; chain < PUBLISH_WINDOW; chain++) {
                publish(publishers.get(i), i, nextSeq.getAndIncrement(), nextSeq);
            }
        }
    }

    private SwitchboardClient client(String user) {
        SwitchboardClient client = SwitchboardClient.builder()
                .url(settings.url())
                .tokenProvider(() -> settings.tokens().apply(user))
                .scheduler(scheduler)
                .httpClient(http)
                .backoffInitial(Duration.ofMillis(200))
                .backoffMax(Duration.ofSeconds(2))
                .publishTimeout(Duration.ofSeconds(20))
                .clientName("switchboard-drill")
                .httpFallback(settings.httpFallback())
                .build();
        client.addStateListener(change -> {
            if (change.current() == ConnectionState.CLOSED && publishing.get()) {
                problems.add(user + ": client closed for good: " + change);
            }
            Deque<String> changes = connectionChanges.computeIfAbsent(user, u -> new ArrayDeque<>());
            synchronized (changes) {
                if (changes.size() == CONNECTION_CHANGES_KEPT) {
                    changes.removeFirst();
                }
                changes.addLast(clock.instant() + " " + change.current()
                        + (change.closeCode() == 0 ? "" : " (" + change.closeCode() + " " + change.reason() + ")"));
            }
        });
        clients.add(client);
        return client;
    }

    private String room(int index) {
        return "drill-" + settings.runId() + ":room-" + (index % settings.rooms());
    }

    /**
     * Publishes message {@code seq} of publisher {@code index}; after its ack the chain goes on with the publisher's
     * next message, on failure it retries the same id.
     */
    private void publish(SwitchboardClient client, int index, long seq, AtomicLong nextSeq) {
        if (!publishing.get()) {
            return;
        }
        String name = "pub-" + index;
        String id = settings.runId() + "-p" + index + "-" + seq;
        outstanding.incrementAndGet();
        CompletableFuture<Ack> ack;
        // The checker's send order must be the order the client gets the publishes in (chains run on two threads).
        synchronized (client) {
            checker.sent(name, room(index), id);
            ack = client.publish(room(index), id, ("message " + seq + " of " + name).getBytes(StandardCharsets.UTF_8),
                    "text/plain; charset=utf-8");
        }
        ack.whenComplete((acked, error) -> {
            try {
                if (error == null) {
                    acked(acked, name);
                    schedule(() -> publish(client, index, nextSeq.getAndIncrement(), nextSeq));
                } else {
                    publishFailures.incrementAndGet();
                    LOG.log(System.Logger.Level.INFO, name + " publish " + id + " failed, retrying: " + error);
                    schedule(() -> publish(client, index, seq, nextSeq));
                }
            } finally {
                outstanding.decrementAndGet();
            }
        });
    }

    private void acked(Ack ack, String publisher) {
        checker.acked(ack.getRoom(), ack.getId(), ack.getPosition());
        recovery.success(publisher);
    }

    private void schedule(Runnable task) {
        if (!scheduler.isShutdown()) {
            scheduler.schedule(task, settings.publishInterval().toMillis() * PUBLISH_WINDOW, TimeUnit.MILLISECONDS);
        }
    }

    private static void await(List<CompletableFuture<?>> futures, Duration timeout, String what) {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            long done = futures.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
            throw new IllegalStateException(what + ": only " + done + " of " + futures.size() + " within " + timeout, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + what, e);
        }
    }

    /**
     * Per-client recovery; before any fault, {@link RecoveryTimes#allRecovered()} means every client has
     * succeeded since the load started (the steady state).
     */
    public RecoveryTimes recovery() {
        return recovery;
    }

    public DeliveryChecker checker() {
        return checker;
    }

    @Override
    public boolean allRecovered() {
        return recovery.allRecovered();
    }

    @Override
    public Set<String> notRecovered() {
        return recovery.notRecovered();
    }

    @Override
    public void faultInjected() {
        recovery.faultInjected();
    }

    @Override
    public boolean allDelivered() {
        return checker.allDelivered();
    }

    /** Stops starting new publishes; {@link #idle()} turns true when the last one in flight has ended. */
    @Override
    public void stopPublishing() {
        publishing.set(false);
    }

    /** No publish in flight (after {@link #stopPublishing()}). */
    @Override
    public boolean idle() {
        return outstanding.get() == 0;
    }

    /** Publishes that failed and were retried with the same id. */
    public long publishFailures() {
        return publishFailures.get();
    }

    /** Problems seen by clients that are not deliveries: subscriptions ended, resumes that lost messages, clients closed. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    public int clientCount() {
        return settings.publishers() + settings.subscribers();
    }

    /** The drill's outcome so far: the checker's tally, client problems and recovery times. */
    @Override
    public DrillResult result(String scenario, String fault) {
        DeliveryChecker.Tally tally = checker.tally();
        RecoveryTimes.Summary times = recovery.summary();
        List<String> violations = new ArrayList<>(problems);
        // First, as the per-message lines below may be cut short: where each subscriber's gap lies, and what its
        // connection went through.
        for (DeliveryChecker.Gap gap : checker.gaps()) {
            violations.add(gap.describe() + "; its connection: " + connectionChanges(gap.subscriber()));
        }
        violations.addAll(checker.violations());
        List<String> notRecovered = recovery.notRecovered().stream().sorted().toList();
        if (!notRecovered.isEmpty()) {
            violations.add("not live again: " + notRecovered.subList(0, Math.min(10, notRecovered.size())));
        }
        return new DrillResult(scenario, fault, clientCount(), checker.ackedCount(), checker.deliveries(),
                tally.lost(), tally.duplicates(), tally.outOfOrder() + tally.misplaced() + tally.outOfSendOrder(), checker.storedTwice(),
                times.p50Millis(), times.p99Millis(), times.maxMillis(), notRecovered.size() + problems.size(),
                violations.subList(0, Math.min(20, violations.size())));
    }

    private String connectionChanges(String client) {
        Deque<String> changes = connectionChanges.get(client);
        if (changes == null) {
            return "no change";
        }
        synchronized (changes) {
            return String.join(", ", changes);
        }
    }

    @Override
    public void close() {
        publishing.set(false);
        clients.forEach(SwitchboardClient::close);
        scheduler.shutdownNow();
        http.close();
    }
}
