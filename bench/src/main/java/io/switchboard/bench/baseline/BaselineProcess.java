package io.switchboard.bench.baseline;

import java.util.concurrent.CountDownLatch;

/**
 * A baseline as its own process, started by {@code load compare}: announces its URL on standard output (which
 * {@code compare} scans for {@code ws://127.0.0.1:PORT/ws}) and serves until the process is terminated.
 */
public final class BaselineProcess {
    private BaselineProcess() {
    }

    /** Prints "{@code label} listening on URL", then blocks until a shutdown hook has closed {@code server}. */
    public static void serveUntilTerminated(BroadcastServer server, String label) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "baseline-shutdown"));
        System.out.println(label + " listening on " + server.webSocketUri());
        stopped.await();
    }
}
