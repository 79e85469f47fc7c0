package io.switchboard.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A worker process of the generator. It reads one JSON command per line on stdin and answers with one JSON
 * event per line on stdout (logs go to stderr): {@code prepare} (with the {@link Plan} and this worker's number)
 * sets up its clients (event loops, the tokens of its share), runs its {@link WorkerWarmUp} when the command
 * asks for one ({@code warmUp} deliveries) and answers {@code prepared}; {@code connect} opens
 * them and answers {@code connected}; {@code step} runs its publishers' share of a
 * {@link StepSpec}, waits for the step's deliveries and answers {@code step} with its {@link WorkerStats};
 * {@code status} answers how many connections are open and how many the server dropped; {@code close} closes
 * every client and exits. It exits as well when stdin closes, so it never outlives the coordinator.
 * Not thread-safe: one command at a time.
 */
public final class WorkerMain {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private ClientPool pool;
    private Plan plan;
    private int worker;

    private WorkerMain(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        // Nothing but events on stdout.
        System.setOut(System.err);
        int ioThreads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        WorkerMain main = new WorkerMain(out);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode command = JSON.readTree(line);
                if (!main.handle(command, ioThreads)) {
                    break;
                }
            }
        } finally {
            if (main.pool != null) {
                main.pool.close();
            }
        }
        System.exit(0);
    }

    private boolean handle(JsonNode command, int ioThreads) throws IOException, InterruptedException {
        switch (command.get("op").asText()) {
            case "prepare" -> {
                plan = JSON.treeToValue(command.get("plan"), Plan.class);
                worker = command.get("worker").asInt();
                pool = new ClientPool(plan, worker, ioThreads);
                int warmUp = command.path("warmUp").asInt(0);
                ObjectNode prepared = JSON.createObjectNode();
                if (warmUp > 0) {
                    long started = System.nanoTime();
                    prepared.put("warmedUp", WorkerWarmUp.run(plan, warmUp));
                    prepared.put("warmUpMillis", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                }
                emit("prepared", prepared);
            }
            case "connect" -> {
                if (pool == null) {
                    throw new IllegalStateException("connect before prepare: the coordinator sends the plan first");
                }
                emit("connected", JSON.valueToTree(pool.connectAll()));
            }
            case "step" -> {
                StepSpec step = JSON.treeToValue(command.get("step"), StepSpec.class);
                emit("step", JSON.valueToTree(runStep(step)));
            }
            case "status" -> {
                ObjectNode status = JSON.createObjectNode();
                status.put("open", pool == null ? 0 : pool.open());
                status.put("drops", pool == null ? 0 : pool.drops());
                emit("status", status);
            }
            case "close" -> {
                if (pool != null) {
                    pool.close();
                    pool = null;
                }
                emit("closed", JSON.createObjectNode());
                return false;
            }
            default -> throw new IllegalArgumentException("unknown op: " + command);
        }
        return true;
    }

    private void emit(String event, JsonNode body) {
        ObjectNode line = JSON.createObjectNode();
        line.put("event", event);
        line.set("body", body);
        out.println(line);
    }

    private record Slot(int publisher, LoadConnection connection) {
    }

    private WorkerStats runStep(StepSpec step) {
        StepRecorder recorder = new StepRecorder(step);
        pool.record(recorder);
        List<Slot> mine = new ArrayList<>();
        for (LoadConnection c : pool.connections()) {
            if (plan.isPublisher(c.client())) {
                mine.add(new Slot(plan.publisherIndex(c.client()), c));
            }
        }
        mine.sort(Comparator.comparingInt(Slot::publisher));
        publish(step, recorder, mine);
        drain(step, recorder);
        pool.record(null);
        return recorder.stats(worker, pool.drops());
    }

    // Open loop: publish n of the step (over all publishers) is due at intendedTime(n) on publisher n % P,
    // whatever happened to the ones before it.
    private void publish(StepSpec step, StepRecorder recorder, List<Slot> mine) {
        int publishers = plan.publishers();
        if (mine.isEmpty()) {
            return;
        }
        for (long k = 0; ; k++) {
            for (Slot slot : mine) {
                long intended = step.intendedTime(k * publishers + slot.publisher());
                if (intended - step.end() >= 0) {
                    return;
                }
                long wait;
                while ((wait = intended - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                if (slot.connection().publish(step, slot.publisher(), k, intended)) {
                    recorder.sent(intended, System.nanoTime());
                } else {
                    recorder.error("publisher " + slot.publisher() + " is not connected");
                }
            }
        }
    }

    // Until every publish of this worker is answered and nothing arrived for quietNanos, or drainNanos passed.
    private static void drain(StepSpec step, StepRecorder recorder) {
        long deadline = step.end() + step.drainNanos();
        while (true) {
            long now = System.nanoTime();
            boolean quiet = now - step.end() >= step.quietNanos() && now - recorder.lastArrival() >= step.quietNanos();
            if ((quiet && recorder.unanswered() <= 0) || now - deadline >= 0) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
