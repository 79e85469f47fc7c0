package io.switchboard.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.testkit.TestTokens;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One worker process of {@link ChildLoads}: a {@link LoadDriver} of its own clients in its own rooms, driven over
 * stdin/stdout one command per line ({@code recovered}, {@code not-recovered}, {@code fault}, {@code stop},
 * {@code idle}, {@code delivered}, {@code result <scenario>}), each answered by one line starting with {@value #REPLY}
 * (anything else on stdout is not an answer). Its rooms hold only its own publishers and subscribers, so its
 * {@link io.switchboard.testkit.DeliveryChecker} checks them completely; the parent adds the workers' tallies.
 *
 * <p>Arguments: {@code url secret publishers subscribers rooms publishIntervalMillis runId}.
 */
public final class LoadWorkerMain {
    static final String REPLY = "@";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A worker's outcome: its result and every recovered client's recovery time, for merged percentiles. */
    record WorkerResult(DrillResult result, List<Long> recoveryMillis) {
    }

    private LoadWorkerMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 7) {
            System.err.println("usage: LoadWorkerMain url secret publishers subscribers rooms publishIntervalMillis runId");
            System.exit(2);
        }
        TestTokens tokens = TestTokens.hs256(args[1]);
        LoadDriver.Settings settings = new LoadDriver.Settings(URI.create(args[0]),
                user -> CompletableFuture.completedFuture(tokens.token(user, LoadDriver.ROOM_PATTERN)),
                Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                Duration.ofMillis(Long.parseLong(args[5])), args[6]);
        // Answers only on the real stdout; anything a library prints goes to stderr (the worker's log).
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        try (LoadDriver load = LoadDriver.start(settings, Duration.ofSeconds(180));
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            out.println(REPLY + "started");
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.println(REPLY + answer(load, line.strip()));
            }
        }
    }

    private static String answer(LoadDriver load, String command) throws IOException {
        return switch (command.split(" ", 2)[0]) {
            case "recovered" -> Boolean.toString(load.allRecovered());
            case "not-recovered" -> String.join(",", load.notRecovered());
            case "fault" -> {
                load.faultInjected();
                yield "ok";
            }
            case "stop" -> {
                load.stopPublishing();
                yield "ok";
            }
            case "idle" -> Boolean.toString(load.idle());
            case "delivered" -> Boolean.toString(load.allDelivered());
            case "result" -> JSON.writeValueAsString(new WorkerResult(load.result(command.substring(7), ""),
                    load.recovery().millis()));
            default -> "unknown command " + command;
        };
    }
}
