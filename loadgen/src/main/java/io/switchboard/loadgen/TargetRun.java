package io.switchboard.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Runs the configured workloads, one after another, against one {@link Target}: for each it starts fresh worker
 * processes, connects the plan's clients, runs its steps, merges the workers' figures and samples the server's
 * and its own processes' CPU and RSS over each measurement window. Not thread-safe: one run per instance.
 */
final class TargetRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long STEP_LEAD_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LoadSettings settings;
    private final Target target;
    private final PrintStream log;
    private final List<StepFigures> steps = new ArrayList<>();
    private final List<IdleFigures> idle = new ArrayList<>();
    private final List<MaxFigures> max = new ArrayList<>();
    // The first measured window on this target gets the full warm-up; later ones a shorter lead-in.
    private boolean warmedUp;

    TargetRun(LoadSettings settings, Target target, PrintStream log) {
        this.settings = settings;
        this.target = target;
        this.log = log;
    }

    /** The rows of every workload, in order. */
    LoadReport.TargetResult run() {
        for (Workload w : settings.workloads) {
            log.printf("%s: %s over %s%n", target.name(), w.name().toLowerCase(java.util.Locale.ROOT), settings.subprotocol.token());
            switch (w) {
                case IDLE -> idle.add(runIdle());
                case FANOUT -> runFanout();
                case MAX -> runMax();
                case ACKS -> steps.add(runAcks());
                case DASHBOARD -> runDashboard();
            }
        }
        return new LoadReport.TargetResult(target.name(), List.copyOf(steps), List.copyOf(idle), List.copyOf(max));
    }

    private Plan plan(Workload workload, int rooms, int members, int publishers, int connections) {
        int clients = workload == Workload.IDLE ? connections : rooms * members + publishers;
        // Idle connections all go to one gateway: memory per connection is a per-gateway figure.
        List<java.net.URI> urls = workload == Workload.IDLE ? target.urls().subList(0, 1) : target.urls();
        return new Plan(workload, settings.subprotocol, urls, rooms, members, publishers, connections,
                settings.payloadBytes, settings.tokenSpec(), settings.sourceAddresses, settings.workersFor(clients),
                settings.connectWindow, UUID.randomUUID().toString().substring(0, 8), false, Plan.DEFAULT_NAMESPACE,
                settings.compression, settings.caFile == null ? null : settings.caFile.toAbsolutePath().toString());
    }

    private IdleFigures runIdle() {
        Plan plan = plan(Workload.IDLE, 0, 0, 0, settings.connections);
        Plan basePlan = settings.idleBase > 0 ? plan(Workload.IDLE, 0, 0, 0, settings.idleBase) : null;
        // The base's workers hold their connections until the measured ones have been read (a null resource is skipped).
        try (Workers baseWorkers = basePlan == null ? null : Workers.start(basePlan, settings)) {
            ProcStats.Sample before = ProcStats.sample(target.serverPids());
            int baseConnected = 0;
            ProcStats.Sample base = null;
            if (baseWorkers != null) {
                baseWorkers.prepare(basePlan);
                ConnectSummary b = baseWorkers.connect();
                baseConnected = b.ok();
                LockSupport.parkNanos(settings.hold.toNanos());
                base = ProcStats.sample(target.serverPids());
                log.printf("  base: %d of %d connected, %d failed, server RSS %.1f MiB%n", b.ok(), basePlan.clients(),
                        b.failed(), mib(base.rssBytes()));
            }
            try (Workers workers = Workers.start(plan, settings)) {
                workers.prepare(plan);
                ProcStats.Sample beforeMeasured = base == null ? before : ProcStats.sample(target.serverPids());
                ProcStats.Sample generatorBefore = ProcStats.sample(workers.pids());
                ConnectSummary connected = workers.connect();
                ProcStats.Sample afterConnect = ProcStats.sample(target.serverPids());
                ProcStats.Sample generatorConnect = ProcStats.sample(workers.pids()).minus(generatorBefore);
                log.printf("  %d of %d connected in %.1f s (%.0f/s), %d failed%s%n", connected.ok(), plan.clients(),
                        connected.seconds(), connected.ok() / connected.seconds(), connected.failed(),
                        connected.firstFailure() == null ? "" : ": " + connected.firstFailure());
                long held = System.nanoTime();
                LockSupport.parkNanos(settings.hold.toNanos());
                long drops = workers.drops() + (baseWorkers == null ? 0 : baseWorkers.drops());
                ProcStats.Sample after = ProcStats.sample(target.serverPids());
                double heldSeconds = (System.nanoTime() - held) / 1e9;
                boolean sampled = serverSampled();
                double perConnection = !sampled || connected.ok() + baseConnected == 0 ? Double.NaN
                        : (after.rssBytes() - before.rssBytes()) / 1024.0 / (connected.ok() + baseConnected);
                double slope = !sampled || base == null || connected.ok() == 0 ? Double.NaN
                        : (after.rssBytes() - base.rssBytes()) / 1024.0 / connected.ok();
                return new IdleFigures(target.name(), plan.subprotocol().token(), plan.clients(), connected.ok(),
                        connected.failed(), connected.seconds(), connected.ok() / connected.seconds(), drops, heldSeconds,
                        serverMib(before), serverMib(after), perConnection,
                        baseConnected, base == null ? Double.NaN : serverMib(base), slope,
                        !sampled ? Double.NaN
                                : perConnect(afterConnect.cpuMicros() - beforeMeasured.cpuMicros(), connected.ok()),
                        perConnect(generatorConnect.cpuMicros(), connected.ok()),
                        ProcStats.loadAverage(), connected.firstFailure());
            }
        }
    }

    /** False when no server process is known (gateways on another host): its figures are then NaN, not zero. */
    private boolean serverSampled() {
        return !target.serverPids().isEmpty();
    }

    private double serverMib(ProcStats.Sample sample) {
        return serverSampled() ? mib(sample.rssBytes()) : Double.NaN;
    }

    private static double perConnect(long cpuMicros, int connected) {
        return connected == 0 ? Double.NaN : (double) cpuMicros / connected;
    }

    private void runFanout() {
        Plan plan = plan(Workload.FANOUT, settings.rooms, settings.members, settings.rooms, 0);
        try (Workers workers = Workers.start(plan, settings)) {
            connectOrFail(workers, plan);
            int index = 0;
            for (double rate : settings.rates) {
                steps.add(step(workers, plan, "fanout", index++, rate, nextWarmup(), settings.duration));
            }
        }
    }

    private Duration nextWarmup() {
        Duration w = warmedUp ? settings.laterWarmup : settings.warmup;
        warmedUp = true;
        return w;
    }

    private void runMax() {
        Plan plan = plan(Workload.FANOUT, settings.rooms, settings.members, settings.rooms, 0);
        try (Workers workers = Workers.start(plan, settings)) {
            connectOrFail(workers, plan);
            StepFigures lastPassing = null;
            StepFigures firstFailing = null;
            int index = 0;
            for (double rate = settings.maxStart; rate <= settings.maxLimit; rate += settings.maxStep) {
                StepFigures f = step(workers, plan, "max", index++, rate, nextWarmup(), settings.stepDuration);
                steps.add(f);
                boolean passed = f.clean() && f.p99() <= settings.maxP99Millis;
                log.printf("  step %.0f publishes/s: %s%n", rate, passed ? "passed" : "failed");
                if (!passed) {
                    firstFailing = f;
                    break;
                }
                lastPassing = f;
            }
            max.add(new MaxFigures(target.name(), plan.subprotocol().token(), settings.maxP99Millis,
                    lastPassing == null ? 0 : lastPassing.rate(),
                    lastPassing == null ? 0 : lastPassing.deliveriesPerSecond(),
                    firstFailing == null ? Double.NaN : firstFailing.rate(),
                    firstFailing == null ? "" : (firstFailing.clean() ? "p99 " + firstFailing.p99() + " ms"
                            : "lost " + firstFailing.lost() + ", unacked " + (firstFailing.sent() - firstFailing.acked())
                            + ", errors " + firstFailing.errors() + ", drops " + firstFailing.drops())));
        }
    }

    private StepFigures runAcks() {
        Plan plan = plan(Workload.ACKS, settings.ackRooms, settings.ackMembers, settings.ackClients, 0);
        try (Workers workers = Workers.start(plan, settings)) {
            connectOrFail(workers, plan);
            return step(workers, plan, "acks", 0, settings.ackClients * settings.ackRate, nextWarmup(),
                    settings.duration);
        }
    }

    /**
     * The dashboard, four times on fresh clients: plain, {@code +batch}, plain into the conflated namespace (which
     * the platform conflates only when started with its max-rate: {@code compare} sets it), and plain offering
     * permessage-deflate (which the platform answers only with {@code gateway.compression.enabled}: {@code compare}
     * sets it). Each room gets {@code --dashboard-rate} updates per second from its one publisher.
     */
    private void runDashboard() {
        record Variant(String name, boolean batch, String namespace, boolean compress) {
        }
        List<Variant> variants = List.of(new Variant("dashboard plain", false, Plan.DEFAULT_NAMESPACE, false),
                new Variant("dashboard batched", true, Plan.DEFAULT_NAMESPACE, false),
                new Variant("dashboard conflated", false, settings.dashboardNamespace, false),
                new Variant("dashboard compressed", false, Plan.DEFAULT_NAMESPACE, true));
        int rooms = settings.dashboardRooms;
        for (Variant v : variants) {
            Plan base = plan(Workload.FANOUT, rooms, settings.dashboardMembers, rooms, 0);
            Plan plan = new Plan(base.workload(), base.subprotocol(), base.urls(), base.rooms(), base.members(),
                    base.publishers(), base.connections(), base.payloadBytes(), base.tokens(),
                    base.sourceAddresses(), base.workers(), base.connectWindow(), base.runId(), v.batch(),
                    v.namespace(), v.compress(), base.caFile());
            log.printf("  %s: %d rooms x %d subscribers over %s%s, rooms of '%s'%n", v.name(), rooms,
                    settings.dashboardMembers, plan.token(), v.compress() ? " with permessage-deflate" : "",
                    v.namespace());
            try (Workers workers = Workers.start(plan, settings)) {
                connectOrFail(workers, plan);
                steps.add(step(workers, plan, v.name(), 0, rooms * settings.dashboardRate, nextWarmup(),
                        settings.duration));
            }
        }
    }

    private void connectOrFail(Workers workers, Plan plan) {
        long warmUpMillis = workers.prepare(plan);
        if (workers.warmUp() > 0) {
            log.printf("  workers warmed up on %d deliveries each in %.1f s%n", workers.warmUp(),
                    warmUpMillis / 1000.0);
        }
        ConnectSummary c = workers.connect();
        log.printf("  %d clients connected in %.1f s%n", c.ok(), c.seconds());
        if (c.failed() > 0) {
            throw new IllegalStateException(c.failure(plan.clients(), plan.tokens()));
        }
    }

    private StepFigures step(Workers workers, Plan plan, String workload, int index, double rate, Duration warmup,
                             Duration duration) {
        long start = System.nanoTime() + STEP_LEAD_NANOS;
        StepSpec spec = new StepSpec(index, rate, start, start + warmup.toNanos(),
                start + warmup.toNanos() + duration.toNanos(), QUIET_NANOS, settings.drainTimeout.toNanos());
        workers.step(spec);
        // Wall-clock time of the step's second 0, to line its timeline up with the server's log and recordings.
        log.printf("  %.0f publishes/s from %s, warm-up %d s, window %d s%n", rate,
                java.time.Instant.now().plusNanos(spec.start() - System.nanoTime()), warmup.toSeconds(),
                duration.toSeconds());
        parkUntil(spec.warmupEnd());
        ProcStats.Sample server0 = ProcStats.sample(target.serverPids());
        ProcStats.Sample generator0 = ProcStats.sample(workers.pids());
        parkUntil(spec.end());
        ProcStats.Sample server = ProcStats.sample(target.serverPids()).minus(server0);
        ProcStats.Sample generator = ProcStats.sample(workers.pids()).minus(generator0);
        long serverRss = ProcStats.sample(target.serverPids()).rssBytes();
        double load = ProcStats.loadAverage();
        List<WorkerStats> stats = workers.awaitStep(warmup.plus(duration).plus(settings.drainTimeout).plusSeconds(60));
        Histogram latency = new Histogram(3);
        Histogram warm = new Histogram(3);
        Histogram acks = new Histogram(3);
        long sent = 0, acked = 0, ackErrors = 0, delivered = 0, arrivals = 0, outOfOrder = 0, duplicates = 0, errors = 0;
        long warmupErrors = 0;
        long late = 0, lagMicros = 0, drops = 0, wireBytes = 0, wireMessages = 0;
        String firstError = null;
        for (WorkerStats s : stats) {
            latency.add(StepRecorder.decode(s.latency()));
            warm.add(StepRecorder.decode(s.warmupLatency()));
            acks.add(StepRecorder.decode(s.ackLatency()));
            sent += s.sent();
            acked += s.acked();
            ackErrors += s.ackErrors();
            delivered += s.delivered();
            arrivals += s.arrivals();
            outOfOrder += s.outOfOrder();
            duplicates += s.duplicates();
            errors += s.errors();
            warmupErrors += s.warmupErrors();
            late += s.lateSends();
            lagMicros = Math.max(lagMicros, s.maxSendLagMicros());
            drops += s.drops();
            wireBytes += s.wireBytes();
            wireMessages += s.wireMessages();
            if (firstError == null) {
                firstError = s.firstError();
            }
        }
        long expected = sent * plan.members();
        double window = duration.toNanos() / 1e9;
        double publishes = rate * window;
        StepFigures f = new StepFigures(target.name(), workload, plan.label(), plan.rooms(),
                plan.members(), plan.publishers(), rate, sent, acked, ackErrors, expected, delivered,
                Math.max(0, expected - delivered), outOfOrder, duplicates, arrivals / window,
                ms(latency, 50), ms(latency, 90), ms(latency, 99), ms(latency, 99.9), maxMs(latency),
                warm.getTotalCount(), ms(warm, 50), ms(warm, 99), maxMs(warm),
                ms(acks, 50), ms(acks, 90), ms(acks, 99), maxMs(acks),
                arrivals == 0 || !serverSampled() ? Double.NaN : (double) server.cpuMicros() / arrivals,
                serverSampled() ? server.cpuMicros() / publishes : Double.NaN,
                serverSampled() ? server.cpuMicros() / 1e6 / (server.nanoTime() / 1e9) : Double.NaN,
                generator.cpuMicros() / 1e6 / (generator.nanoTime() / 1e9),
                serverSampled() ? mib(serverRss) : Double.NaN, errors, warmupErrors, drops, late, lagMicros / 1000.0, load, firstError,
                StepTimeline.merge(stats.stream().map(WorkerStats::timeline).toList(), spec),
                wireBytes / window, arrivals == 0 ? Double.NaN : (double) wireBytes / arrivals, wireMessages / window);
        log.printf("  %.0f publishes/s: %.0f deliveries/s, lost %d, p50 %.2f p99 %.2f max %.2f ms (warm-up p99 %.2f), "
                        + "ack p99 %.2f ms, server %.1f µs/delivery %.0f µs/publish, server %.2f cores, generator %.2f cores, "
                        + "wire %.1f KiB/s %.1f B/delivery %.0f messages/s, load %.1f%n",
                rate, f.deliveriesPerSecond(), f.lost(), f.p50(), f.p99(), f.max(), f.warmupP99(), f.ackP99(),
                f.serverCpuMicrosPerDelivery(), f.serverCpuMicrosPerPublish(), f.serverCores(), f.generatorCores(),
                f.wireBytesPerSecond() / 1024, f.wireBytesPerDelivery(), f.wireMessagesPerSecond(), load);
        log.printf("  p99 ms per second from the step's start (warm-up %d s, then the window): %s%n",
                warmup.toSeconds(), ResultTables.timelineLine(f.timeline()));
        return f;
    }

    private static void parkUntil(long nanoTime) {
        long wait;
        while ((wait = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static double maxMs(Histogram h) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0;
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    /** The outcome of connecting every worker's clients. */
    record ConnectSummary(int ok, int failed, double seconds, String firstFailure) {
        /** A token refused (close 3500: signature, algorithm or claims), as a worker reports it. */
        private static final String TOKEN_REFUSED = "closed by the server: 3500 ";

        /** Why the run stops; a refused token also says where the generator's secret comes from. */
        String failure(int clients, TokenSpec tokens) {
            String why = failed + " of " + clients + " clients failed to connect: " + firstFailure;
            if (firstFailure == null || !firstFailure.contains(TOKEN_REFUSED)) {
                return why;
            }
            if (tokens.asymmetric()) {
                return why + " (the gateway refused the generator's tokens, signed with --token-key " + tokens.keyFile()
                        + ": it must verify them with that key's public half, and --issuer and --audience must"
                        + " match gateway.auth.issuer and gateway.auth.audience)";
            }
            // What a first run against `./switchboard run` meets: the launcher makes a random secret at each start.
            return why + " (the gateway refused the generator's tokens: they are signed with --secret, default "
                    + LoadSettings.DEFAULT_SECRET + ", which must be the gateway's gateway.auth.hs256-secret;"
                    + " ./switchboard run makes a random one unless it is set:"
                    + " GATEWAY_AUTH_HS256_dash_SECRET=SECRET ./switchboard run)";
        }
    }

    /** The worker processes of one workload. */
    static final class Workers implements AutoCloseable {
        private final List<WorkerProcess> processes = new ArrayList<>();
        private final int warmUp;

        private Workers(int warmUp) {
            if (warmUp < 0) {
                throw new IllegalArgumentException("--worker-warm-up: " + warmUp + " (expected: >= 0)");
            }
            this.warmUp = warmUp;
        }

        static Workers start(Plan plan, LoadSettings settings) {
            Workers w = new Workers(plan.workload() == Workload.IDLE ? 0 : settings.workerWarmUp);
            try {
                for (int i = 0; i < plan.workers(); i++) {
                    w.processes.add(WorkerProcess.start(settings.workerJvmOptionsFor(plan.workload()),
                            settings.ioThreads));
                }
                return w;
            } catch (RuntimeException e) {
                w.close();
                throw e;
            }
        }

        List<Long> pids() {
            List<Long> pids = new ArrayList<>();
            pids.add(ProcessHandle.current().pid());
            processes.forEach(p -> pids.add(p.pid()));
            return pids;
        }

        /**
         * Hands each worker the plan and waits until each has set its clients up (event loops, tokens) and run its
         * warm-up ({@link WorkerWarmUp}), so that what is measured from here on is connecting.
         *
         * @return the longest warm-up of a worker, in milliseconds (0 without one)
         */
        long prepare(Plan plan) {
            for (int i = 0; i < processes.size(); i++) {
                ObjectNode command = JSON.createObjectNode().put("op", "prepare").put("worker", i)
                        .put("warmUp", warmUp);
                command.set("plan", JSON.valueToTree(plan));
                processes.get(i).send(command);
            }
            long longest = 0;
            for (WorkerProcess p : processes) {
                JsonNode prepared = p.await("prepared", Duration.ofMinutes(2));
                long warmedUp = prepared.path("warmedUp").asLong(0);
                // Each warm-up delivery passes the same decoder and order checks as a real one.
                if (warmedUp != warmUp) {
                    throw new IllegalStateException("worker " + p.pid() + " counted " + warmedUp + " of its "
                            + warmUp + " warm-up deliveries: its receive path is broken");
                }
                longest = Math.max(longest, prepared.path("warmUpMillis").asLong(0));
            }
            return longest;
        }

        int warmUp() {
            return warmUp;
        }

        /** Opens every prepared client; returns when each worker has them all ready or failed. */
        ConnectSummary connect() {
            for (WorkerProcess p : processes) {
                p.send(JSON.createObjectNode().put("op", "connect"));
            }
            int ok = 0, failed = 0;
            long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
            String firstFailure = null;
            for (WorkerProcess p : processes) {
                JsonNode r = p.await("connected", Duration.ofMinutes(10));
                ok += r.get("ok").asInt();
                failed += r.get("failed").asInt();
                first = Math.min(first, r.get("firstStart").asLong());
                last = Math.max(last, r.get("lastReady").asLong());
                if (firstFailure == null && !r.get("firstFailure").isNull()) {
                    firstFailure = r.get("firstFailure").asText();
                }
            }
            return new ConnectSummary(ok, failed, Math.max(1e-3, (last - first) / 1e9), firstFailure);
        }

        void step(StepSpec spec) {
            for (WorkerProcess p : processes) {
                ObjectNode command = JSON.createObjectNode().put("op", "step");
                command.set("step", JSON.valueToTree(spec));
                p.send(command);
            }
        }

        List<WorkerStats> awaitStep(Duration timeout) {
            List<WorkerStats> stats = new ArrayList<>();
            for (WorkerProcess p : processes) {
                try {
                    stats.add(JSON.treeToValue(p.await("step", timeout), WorkerStats.class));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("worker " + p.pid() + " sent unreadable figures", e);
                }
            }
            return stats;
        }

        long drops() {
            long drops = 0;
            for (WorkerProcess p : processes) {
                p.send(JSON.createObjectNode().put("op", "status"));
            }
            for (WorkerProcess p : processes) {
                drops += p.await("status", Duration.ofSeconds(30)).get("drops").asLong();
            }
            return drops;
        }

        @Override
        public void close() {
            processes.forEach(WorkerProcess::close);
        }
    }
}
