package io.switchboard.drill.presence;

import static org.awaitility.Awaitility.await;

import io.switchboard.client.MemberList;
import io.switchboard.drill.presence.CheckedClient.Status;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The randomized presence checker. From a seed it draws a script of actions and plays it against a cluster with
 * Java-SDK clients: users join (a new device subscribes to some rooms), leave (a device closes), reload (a device
 * closes and a new one opens on the same gateway), switch gateways (a new device on another gateway, the old one
 * closing before or after), subscribe to and leave rooms, change their status (on all of their devices, as an app
 * does), while gateways and the presence service restart. Every few steps it stops acting: then every client's
 * member list of every room it subscribed to must equal the truth (each user with a device in the room, with the
 * number of their devices in it and their status) within {@link Settings#convergenceBound}; the time each check
 * took is reported, not asserted. The seed is in every failure, with the last actions; the same seed replays the
 * same script (timings differ: the cluster is real).
 *
 * <p>Runs on the caller's thread; the clients share one scheduler and one HttpClient, closed at the end.
 *
 * <p>Size: the script, the truth it keeps and the checks against it are one sequential loop over one seed, kept in
 * one class so that a failure's seed and last actions describe everything that happened.
 */
public final class PresenceChecker {
    /** The room pattern every room of a run matches: users' tokens must grant it (subscribe and presence). */
    public static final String ROOMS = "presence-check:*";

    /** The cluster under test: its gateways, how to restart them and the presence service, and users' tokens. */
    public interface Cluster {
        int gateways();

        URI webSocketUri(int gateway);

        /** Stops the gateway (its connections close or die with it) and starts it again on the same address. */
        void restartGateway(int gateway);

        /** Stops the presence service (its state is lost) and starts it again on the same address. */
        void restartPresence();

        /** A token for {@code user} that grants {@link #ROOMS}. */
        String token(String user);

        /** A cluster from its parts: {@code gateways} gateways, their URIs, how to restart them and presence, tokens. */
        static Cluster of(int gateways, IntFunction<URI> webSocketUri, IntConsumer restartGateway,
                          Runnable restartPresence, Function<String, String> tokens) {
            return new Cluster() {
                @Override
                public int gateways() {
                    return gateways;
                }

                @Override
                public URI webSocketUri(int gateway) {
                    return webSocketUri.apply(gateway);
                }

                @Override
                public void restartGateway(int gateway) {
                    restartGateway.accept(gateway);
                }

                @Override
                public void restartPresence() {
                    restartPresence.run();
                }

                @Override
                public String token(String user) {
                    return tokens.apply(user);
                }
            };
        }
    }

    /**
     * @param users            distinct users
     * @param rooms            rooms they pick from
     * @param maxClients       devices open at once, at most
     * @param steps            actions per run
     * @param checkEvery       actions between two quiet checks (one more at the end)
     * @param convergenceBound how long a quiet check waits for every list to equal the truth
     * @param maxThinkTime     the longest pause a "time passes" action makes
     * @param restarts         whether gateways and the presence service restart
     */
    public record Settings(int users, int rooms, int maxClients, int steps, int checkEvery, Duration convergenceBound,
                           Duration maxThinkTime, boolean restarts) {
        public Settings {
            if (users < 1 || rooms < 1 || maxClients < 1 || steps < 1 || checkEvery < 1) {
                throw new IllegalArgumentException("users, rooms, maxClients, steps, checkEvery: " + users + ", " + rooms
                        + ", " + maxClients + ", " + steps + ", " + checkEvery + " (expected: >= 1 each)");
            }
            Objects.requireNonNull(convergenceBound, "convergenceBound");
            Objects.requireNonNull(maxThinkTime, "maxThinkTime");
        }

        /** 6 users, 2 rooms, up to 12 devices, 40 steps with a check every 10, restarts on. */
        public static Settings defaults() {
            return new Settings(6, 2, 12, 40, 10, Duration.ofSeconds(60), Duration.ofMillis(1500), true);
        }
    }

    /** What one run did: its checks and the slowest convergence among them. */
    public record Result(long seed, int checks, Duration slowestConvergence, Map<String, Integer> actions) {
    }

    private static final List<String> ACTIONS = List.of("join", "leave", "reload", "switch", "rooms", "status", "think",
            "restart-gateway", "restart-presence");
    private static final int[] WEIGHTS = {16, 8, 12, 12, 10, 14, 14, 5, 3};

    private final Cluster cluster;
    private final Settings settings;
    private final long seed;
    private final Consumer<String> log;
    private final Random random;
    private final List<String> users = new ArrayList<>();
    private final List<String> rooms = new ArrayList<>();
    private final List<CheckedClient> clients = new ArrayList<>();
    private final Map<String, Status> statuses = new HashMap<>();
    private final Map<String, Integer> actionCounts = new TreeMap<>();
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2,
            Thread.ofPlatform().daemon().name("presence-checker-", 0).factory());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int devices;
    private volatile int step;

    private PresenceChecker(Cluster cluster, Settings settings, long seed, Consumer<String> log) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.seed = seed;
        this.log = Objects.requireNonNull(log, "log");
        this.random = new Random(seed);
        String run = Long.toString(seed & 0xffffff, 36) + "-" + Long.toString(System.nanoTime() & 0xffff, 36);
        // Fresh users and rooms per run: runs on one cluster do not mix (a user back within the leave grace of an
        // earlier run would find that run's status).
        for (int i = 0; i < settings.users(); i++) {
            users.add("u" + i + "-" + run);
        }
        for (int i = 0; i < settings.rooms(); i++) {
            rooms.add("presence-check:" + run + ":" + i);
        }
    }

    /**
     * The seeds a test runs: {@code -Dpresence.checker.seed=S} replays one; else {@code -Dpresence.checker.seeds=N}
     * (default {@code defaultCount}) consecutive seeds from a random start, so that every run tries new scripts.
     */
    public static long[] seeds(int defaultCount) {
        Long replay = Long.getLong("presence.checker.seed");
        if (replay != null) {
            return new long[] {replay};
        }
        int count = Integer.getInteger("presence.checker.seeds", defaultCount);
        long first = new java.security.SecureRandom().nextLong() & 0xffffffffL;
        long[] seeds = new long[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = first + i;
        }
        return seeds;
    }

    /**
     * Plays the scripts of {@link #seeds seeds(defaultCount)} with the default settings, one after the other,
     * printing each seed before it starts and its result after.
     *
     * @throws AssertionError from the first seed that fails
     */
    public static List<Result> runSeeds(Cluster cluster, int defaultCount, Consumer<String> log) {
        List<Result> results = new ArrayList<>();
        for (long seed : seeds(defaultCount)) {
            log.accept("presence checker: seed " + seed);
            Result result = run(cluster, Settings.defaults(), seed, log);
            log.accept("presence checker: " + result);
            results.add(result);
        }
        return results;
    }

    /**
     * Plays the script of {@code seed} against {@code cluster}.
     *
     * @throws AssertionError naming the seed, the check, the client and room that did not converge, and the last actions
     */
    public static Result run(Cluster cluster, Settings settings, long seed, Consumer<String> log) {
        PresenceChecker checker = new PresenceChecker(cluster, settings, seed, log);
        try {
            return checker.play();
        } finally {
            checker.close();
        }
    }

    private Result play() {
        Duration slowest = Duration.ZERO;
        int checks = 0;
        while (clients.size() < settings.maxClients() / 2) {
            act("join"); // a room with people in it from the start
        }
        for (step = 1; step <= settings.steps(); step++) {
            act(ACTIONS.get(pick()));
            if (step % settings.checkEvery() == 0 || step == settings.steps()) {
                Duration took = quietCheck(++checks);
                slowest = took.compareTo(slowest) > 0 ? took : slowest;
            }
        }
        return new Result(seed, checks, slowest, Map.copyOf(actionCounts));
    }

    private int pick() {
        int total = 0;
        for (int i = 0; i < WEIGHTS.length; i++) {
            total += allowed(i) ? WEIGHTS[i] : 0;
        }
        int r = random.nextInt(total);
        for (int i = 0; i < WEIGHTS.length; i++) {
            if (allowed(i) && (r -= WEIGHTS[i]) < 0) {
                return i;
            }
        }
        throw new IllegalStateException("no action");
    }

    private boolean allowed(int action) {
        return settings.restarts() || !ACTIONS.get(action).startsWith("restart");
    }

    private void act(String action) {
        actionCounts.merge(action, 1, Integer::sum);
        switch (action) {
            case "join" -> {
                if (clients.size() < settings.maxClients()) {
                    String user = users.get(random.nextInt(users.size()));
                    open(user, random.nextInt(cluster.gateways()), someRooms(), "joins");
                }
            }
            case "leave" -> anyClient().ifPresent(c -> close(c, "leaves"));
            case "reload" -> anyClient().ifPresent(c -> {
                close(c, "reloads");
                open(c.user(), c.gateway(), c.rooms(), "is back after the reload");
            });
            case "switch" -> anyClient().ifPresent(c -> {
                int other = (c.gateway() + 1 + random.nextInt(Math.max(1, cluster.gateways() - 1))) % cluster.gateways();
                if (random.nextBoolean()) {
                    open(c.user(), other, c.rooms(), "switches gateways (new connection first)");
                    close(c, "switched away");
                } else {
                    close(c, "switches gateways (old connection first)");
                    open(c.user(), other, c.rooms(), "switched");
                }
            });
            case "rooms" -> anyClient().ifPresent(c -> {
                String room = rooms.get(random.nextInt(rooms.size()));
                if (c.rooms().contains(room) && c.rooms().size() > 1) {
                    c.leave(room);
                    note(c + " unsubscribes " + room);
                } else if (!c.rooms().contains(room)) {
                    c.join(room);
                    note(c + " subscribes " + room);
                }
            });
            case "status" -> {
                String user = users.get(random.nextInt(users.size()));
                PresenceStatus[] all = {PresenceStatus.ONLINE, PresenceStatus.AWAY, PresenceStatus.BUSY};
                PresenceStatus status = all[random.nextInt(all.length)];
                Status wanted = new Status(status, status == PresenceStatus.ONLINE ? "" : "step " + step);
                statuses.put(user, wanted);
                clients.stream().filter(c -> c.user().equals(user)).forEach(c -> c.setStatus(wanted));
                note(user + " sets " + wanted + " on all of their devices");
            }
            case "think" -> {
                long millis = random.nextLong(settings.maxThinkTime().toMillis() + 1);
                note("time passes: " + millis + " ms");
                pace(millis);
            }
            case "restart-gateway" -> {
                int gateway = random.nextInt(cluster.gateways());
                note("restart gateway " + gateway);
                cluster.restartGateway(gateway);
            }
            case "restart-presence" -> {
                note("restart the presence service");
                cluster.restartPresence();
            }
            default -> throw new IllegalStateException("unknown action " + action);
        }
    }

    private Optional<CheckedClient> anyClient() {
        return clients.isEmpty() ? Optional.empty()
                : Optional.of(clients.get(random.nextInt(clients.size())));
    }

    private Set<String> someRooms() {
        Set<String> picked = new LinkedHashSet<>();
        picked.add(rooms.get(random.nextInt(rooms.size())));
        if (random.nextInt(3) == 0) {
            picked.add(rooms.get(random.nextInt(rooms.size())));
        }
        return picked;
    }

    private void open(String user, int gateway, Set<String> rooms, String what) {
        // A new device sets the user's status (as the app knows it), if the user ever set one.
        CheckedClient c = CheckedClient.open("d" + ++devices, user, gateway, cluster.webSocketUri(gateway), cluster::token,
                rooms, Optional.ofNullable(statuses.get(user)), scheduler, http, this::note);
        clients.add(c);
        note(c + " " + what);
    }

    private void close(CheckedClient c, String what) {
        clients.remove(c);
        c.close();
        note(c + " " + what);
    }

    /** The workload's think time between actions: pacing, not synchronisation. */
    private static void pace(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Logs an action or an SDK event (any thread) and keeps the last ones for a failure message. */
    private void note(String action) {
        String line = "seed " + seed + " step " + step + ": " + action;
        log.accept(line);
        synchronized (recent) {
            recent.addLast(line);
            if (recent.size() > 60) {
                recent.removeFirst();
            }
        }
    }

    private String recentLines() {
        synchronized (recent) {
            return String.join("\n  ", recent);
        }
    }

    /** Every room's members as the checker's own clients make them: user, devices in the room, status. */
    private Map<String, List<String>> truth() {
        Map<String, Map<String, Integer>> devicesByRoom = new TreeMap<>();
        rooms.forEach(room -> devicesByRoom.put(room, new TreeMap<>()));
        for (CheckedClient c : clients) {
            c.rooms().forEach(room -> devicesByRoom.get(room).merge(c.user(), 1, Integer::sum));
        }
        Map<String, List<String>> truth = new TreeMap<>();
        devicesByRoom.forEach((room, devicesOf) -> truth.put(room, devicesOf.entrySet().stream()
                .map(e -> describe(e.getKey(), e.getValue(), statuses.getOrDefault(e.getKey(), Status.ONLINE)))
                .toList()));
        return truth;
    }

    private static String describe(String user, int devices, Status status) {
        return user + " x" + devices + " " + status.status() + (status.text().isEmpty() ? "" : " '" + status.text() + "'");
    }

    private static List<String> shown(MemberList list) {
        List<String> shown = new ArrayList<>();
        for (Member m : list.members()) {
            shown.add(describe(m.getUserId(), m.getDevices(), new Status(m.getStatus(), m.getStatusText())));
        }
        return shown;
    }

    /** Waits until every client's every list equals the truth; returns how long that took. */
    private Duration quietCheck(int check) {
        Map<String, List<String>> truth = truth();
        note("quiet check " + check + ": expecting " + truth);
        Instant start = Instant.now();
        try {
            await().atMost(settings.convergenceBound()).pollInterval(Duration.ofMillis(100)).until(() -> mismatch(truth) == null);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("seed " + seed + " (replay it with the same seed): quiet check " + check + " after step "
                    + step + ": not converged within " + settings.convergenceBound() + ": " + mismatch(truth)
                    + "\nevery client:\n  " + String.join("\n  ", clientStates())
                    + "\nlast actions and client events:\n  " + recentLines(), e);
        }
        Duration took = Duration.between(start, Instant.now());
        note("quiet check " + check + " converged in " + took.toMillis() + " ms");
        return took;
    }

    /** The first client list that differs from the truth, described; null when all agree. */
    private String mismatch(Map<String, List<String>> truth) {
        for (CheckedClient c : clients) {
            if (!c.connected()) {
                return c + " is not connected";
            }
            for (String room : c.rooms()) {
                MemberList list = c.members(room).orElse(null);
                if (list == null || !list.loaded()) {
                    return c + " has no list of " + room + " yet";
                }
                if (!list.complete() || !shown(list).equals(truth.get(room))) {
                    return c + " shows " + shown(list) + (list.complete() ? "" : " (incomplete)") + " in " + room
                            + ", the truth is " + truth.get(room);
                }
            }
        }
        return null;
    }

    /** Each client's connection state and lists, for a failure message. */
    private List<String> clientStates() {
        List<String> states = new ArrayList<>();
        for (CheckedClient c : clients) {
            StringBuilder line = new StringBuilder(c + (c.connected() ? " connected" : " NOT connected"));
            for (String room : c.rooms()) {
                c.members(room).ifPresent(list -> line.append("; ").append(room).append(" v").append(list.version())
                        .append(list.loaded() ? "" : " (not loaded)").append(list.complete() ? " " : " (incomplete) ")
                        .append(shown(list)));
            }
            states.add(line.toString());
        }
        return states;
    }

    private void close() {
        clients.forEach(CheckedClient::close);
        clients.clear();
        scheduler.shutdownNow();
        http.shutdownNow(); // close() would wait for WebSockets a failed run may leave half-open
    }
}
