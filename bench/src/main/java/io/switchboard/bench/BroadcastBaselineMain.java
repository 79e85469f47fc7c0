package io.switchboard.bench;

import java.util.concurrent.CountDownLatch;

/**
 * {@code java -cp switchboard-bench.jar io.switchboard.bench.BroadcastBaselineMain [--port N]}: the bare Helidon
 * broadcast server as its own process, the baseline of {@code ./switchboard load compare}. Prints its WebSocket
 * URL once it listens and runs until it is terminated.
 */
public final class BroadcastBaselineMain {
    private BroadcastBaselineMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port") && i + 1 < args.length) {
                port = Integer.parseInt(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument: " + args[i] + " (expected: [--port N])");
            }
        }
        BroadcastBaseline server = new BroadcastBaseline().start(port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "baseline-shutdown"));
        System.out.println("Helidon broadcast baseline listening on " + server.webSocketUri());
        stopped.await();
    }
}
