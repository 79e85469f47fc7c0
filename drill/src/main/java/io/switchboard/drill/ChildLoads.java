package io.switchboard.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A {@link DrillLoad} spread over worker JVMs ({@link LoadWorkerMain}), for loads larger than one JVM's SDK clients
 * should carry beside the checking: each worker runs its share of publishers and subscribers in rooms of its own,
 * checks them itself, and reports; this class asks every worker and adds up. Not thread-safe (one drill at a time).
 */
public final class ChildLoads implements DrillLoad {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What to start.
     *
     * @param url             the WebSocket URL (normally the load balancer's)
     * @param secret          the gateways' HS256 secret (each worker mints its users' tokens)
     * @param clients         publishers plus subscribers, split evenly: half of each worker's clients publish
     * @param workers         worker processes
     * @param rooms           rooms per worker
     * @param publishInterval each publisher's average interval between publishes
     * @param runId           unique per run; worker {@code i} uses {@code <runId>-w<i>}
     * @param classpath       the workers' classpath (this module and its dependencies)
     * @param logDirectory    where each worker's stderr goes ({@code load-<runId>-w<i>.log})
     * @param jvmOptions      extra options of each worker JVM
     */
    public record Settings(URI url, String secret, int clients, int workers, int rooms, Duration publishInterval,
                           String runId, String classpath, Path logDirectory, List<String> jvmOptions) {
        public Settings {
            if (workers < 1 || clients < 2 * workers || rooms < 1 || rooms > clients / workers / 2) {
                throw new IllegalArgumentException("clients " + clients + ", workers " + workers + ", rooms " + rooms
                        + " (expected: workers >= 1, at least 2 clients per worker, rooms <= publishers per worker)");
            }
        }
    }

    private final List<Worker> workers = new ArrayList<>();
    private final int clients;

    private ChildLoads(int clients) {
        this.clients = clients;
    }

    /** Starts every worker and waits until each has connected its clients (each worker bounds its own start). */
    public static ChildLoads start(Settings settings) {
        ChildLoads loads = new ChildLoads(settings.clients());
        try {
            int perWorker = settings.clients() / settings.workers();
            for (int i = 0; i < settings.workers(); i++) {
                int share = i == settings.workers() - 1 ? settings.clients() - perWorker * i : perWorker;
                loads.workers.add(Worker.start(settings, i, share / 2, share - share / 2));
            }
            for (Worker worker : loads.workers) {
                worker.awaitStarted();
            }
            return loads;
        } catch (RuntimeException | Error e) {
            loads.close();
            throw e;
        }
    }

    @Override
    public boolean allRecovered() {
        return workers.stream().allMatch(w -> Boolean.parseBoolean(w.ask("recovered")));
    }

    @Override
    public Set<String> notRecovered() {
        Set<String> missing = new HashSet<>();
        for (Worker worker : workers) {
            String answer = worker.ask("not-recovered");
            if (!answer.isEmpty()) {
                for (String client : answer.split(",")) {
                    missing.add("w" + worker.index + "/" + client);
                }
            }
        }
        return missing;
    }

    @Override
    public void faultInjected() {
        workers.forEach(w -> w.ask("fault"));
    }

    @Override
    public void stopPublishing() {
        workers.forEach(w -> w.ask("stop"));
    }

    @Override
    public boolean idle() {
        return workers.stream().allMatch(w -> Boolean.parseBoolean(w.ask("idle")));
    }

    @Override
    public boolean allDelivered() {
        return workers.stream().allMatch(w -> Boolean.parseBoolean(w.ask("delivered")));
    }

    /** The workers' tallies added up; recovery percentiles over every worker's clients together. */
    @Override
    public DrillResult result(String scenario, String fault) {
        long acked = 0;
        long deliveries = 0;
        long lost = 0;
        long duplicates = 0;
        long outOfOrder = 0;
        long storedTwice = 0;
        int notRecovered = 0;
        List<Long> millis = new ArrayList<>();
        List<String> violations = new ArrayList<>();
        for (Worker worker : workers) {
            LoadWorkerMain.WorkerResult part;
            try {
                part = JSON.readValue(worker.ask("result " + scenario), LoadWorkerMain.WorkerResult.class);
            } catch (IOException e) {
                throw new UncheckedIOException("worker " + worker.index + " sent an unreadable result", e);
            }
            DrillResult r = part.result();
            acked += r.acked();
            deliveries += r.deliveries();
            lost += r.lost();
            duplicates += r.duplicates();
            outOfOrder += r.outOfOrder();
            storedTwice += r.storedTwice();
            notRecovered += r.notRecovered();
            millis.addAll(part.recoveryMillis());
            r.violations().forEach(v -> violations.add("worker " + worker.index + ": " + v));
        }
        RecoveryTimes.Summary times = RecoveryTimes.summary(millis, clients);
        return new DrillResult(scenario, fault, clients, acked, deliveries, lost, duplicates, outOfOrder, storedTwice,
                times.p50Millis(), times.p99Millis(), times.maxMillis(), notRecovered,
                violations.subList(0, Math.min(20, violations.size())));
    }

    @Override
    public void close() {
        workers.forEach(Worker::close);
    }

    /** One worker process and its command pipe. */
    private static final class Worker {
        private final int index;
        private final Process process;
        private final PrintWriter commands;
        private final BufferedReader answers;
        private final Path log;

        private Worker(int index, Process process, Path log) {
            this.index = index;
            this.process = process;
            this.log = log;
            this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        static Worker start(Settings settings, int index, int publishers, int subscribers) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path log = settings.logDirectory().resolve("load-" + settings.runId() + "-w" + index + ".log");
            List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx384m",
                    "-XX:+UseSerialGC"));
            command.addAll(settings.jvmOptions());
            command.addAll(List.of("-cp", settings.classpath(), LoadWorkerMain.class.getName(), settings.url().toString(),
                    settings.secret(), Integer.toString(publishers), Integer.toString(subscribers),
                    Integer.toString(Math.min(settings.rooms(), Math.min(publishers, subscribers))),
                    Long.toString(settings.publishInterval().toMillis()), settings.runId() + "-w" + index));
            try {
                Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
                return new Worker(index, process, log);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start load worker " + index, e);
            }
        }

        /** Waits for the worker's "started" (its clients connected and subscribed, publishers running). */
        void awaitStarted() {
            // The worker's own start is bounded (LoadDriver.start); a worker that gave up exits and ends the stream.
            String answer = read();
            if (!answer.equals("started")) {
                throw new IllegalStateException("load worker " + index + " did not start: " + answer + "; see " + log);
            }
        }

        /** Sends one command and returns its answer. */
        String ask(String command) {
            commands.println(command);
            return read();
        }

        private String read() {
            try {
                for (String line = answers.readLine(); line != null; line = answers.readLine()) {
                    if (line.startsWith(LoadWorkerMain.REPLY)) {
                        return line.substring(LoadWorkerMain.REPLY.length());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("load worker " + index + " pipe failed; see " + log, e);
            }
            throw new IllegalStateException("load worker " + index + " exited; see " + log);
        }

        void close() {
            commands.close();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
