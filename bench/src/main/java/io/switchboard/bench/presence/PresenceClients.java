package io.switchboard.bench.presence;

import io.switchboard.testkit.TestTokens;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Main class of a child JVM holding one {@link ClientShare} of the presence-join clients, so that the client
 * ends of the connections do not count against the server JVM's open-file limit. It speaks one line at a time:
 * stdout carries only the protocol (everything else printed goes to stderr), stdin the parent's commands.
 *
 * <pre>
 * child:  READY connectNanos heapMiB        every client connected and authenticated
 * parent: JOIN
 * child:  JOINED t0Nanos                     every Subscribe released at t0
 * child:  CONSISTENT lastNanos | WAITED inconsistentCount
 * parent: REPORT                             (after the settle time; frames are counted until then)
 * child:  CLIENT ... (one per client), DONE
 * parent: EXIT                               the child aborts its clients and exits 0
 * child:  FAILED message                     at any point, then exits 1
 * </pre>
 *
 * Every wait for a command is bounded, and the end of stdin (the parent closed it or died) ends the child at
 * once. Not thread-safe: run once per JVM.
 */
public final class PresenceClients {
    static final String READY = "READY";
    static final String JOIN = "JOIN";
    static final String JOINED = "JOINED";
    static final String CONSISTENT = "CONSISTENT";
    static final String WAITED = "WAITED";
    static final String REPORT = "REPORT";
    static final String DONE = "DONE";
    static final String EXIT = "EXIT";
    static final String FAILED = "FAILED";
    // The parent sends JOIN once every child is connected: the slowest may take the whole connect timeout.
    private static final Duration JOIN_WAIT = ClientGroup.CONNECT_TIMEOUT.plusMinutes(1);
    private static final Duration COMMAND_WAIT = Duration.ofMinutes(5);
    private static final int EXIT_STDIN_CLOSED = 3;

    private final BlockingQueue<String> commands = new ArrayBlockingQueue<>(16);
    private final AtomicBoolean exiting = new AtomicBoolean();
    private final PrintStream protocol;

    private PresenceClients(PrintStream protocol) {
        this.protocol = protocol;
    }

    public static void main(String[] args) {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        // Only protocol lines on stdout: anything a library prints goes to stderr (the parent's terminal).
        System.setOut(System.err);
        quietLogging();
        System.exit(new PresenceClients(protocol).run(args));
    }

    private int run(String[] args) {
        Thread.ofPlatform().name("presence-clients-stdin").daemon().start(this::readCommands);
        try {
            ClientShare share = ClientShare.parse(args);
            try (ClientGroup group = new ClientGroup(share, TestTokens.hs256(PresenceJoinBenchmark.SECRET),
                    System.err)) {
                long t = System.nanoTime();
                group.connectAll();
                long connectNanos = System.nanoTime() - t;
                System.gc(); // outside the measured window: only to report the live heap with every client connected
                Runtime rt = Runtime.getRuntime();
                send(READY + " " + connectNanos + " " + ((rt.totalMemory() - rt.freeMemory()) >> 20));
                expect(JOIN, JOIN_WAIT);
                long t0 = group.joinAll();
                send(JOINED + " " + t0);
                boolean consistent = group.awaitConsistent(t0);
                send(consistent ? CONSISTENT + " " + group.lastConsistentNanos(t0)
                        : WAITED + " " + group.reports().stream().filter(r -> !r.consistent()).count());
                expect(REPORT, COMMAND_WAIT);
                group.reports().forEach(r -> send(r.toLine()));
                send(DONE);
                // Keep the clients until the parent has every child's report: a close would reach the others.
                expect(EXIT, COMMAND_WAIT);
            }
            return 0;
        } catch (RuntimeException e) {
            exiting.set(true);
            e.printStackTrace(System.err);
            send(FAILED + " " + String.valueOf(e).replace('\n', ' '));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exiting.set(true);
            send(FAILED + " interrupted");
            return 1;
        }
    }

    private void send(String line) {
        protocol.println(line);
        if (protocol.checkError()) {
            throw new IllegalStateException("stdout closed: the parent is gone");
        }
    }

    private void expect(String command, Duration timeout) throws InterruptedException {
        String line = commands.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (line == null) {
            throw new IllegalStateException(String.format(Locale.ROOT, "no %s from the parent within %s", command,
                    timeout));
        }
        if (!line.equals(command)) {
            throw new IllegalStateException("parent said " + line + " (expected: " + command + ")");
        }
    }

    /** On the stdin thread: queues each command; the end of stdin means the parent is gone, so exit now. */
    private void readCommands() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.strip().equals(EXIT)) {
                    exiting.set(true); // before the parent closes stdin behind it
                }
                if (!commands.offer(line.strip())) {
                    System.err.println("presence clients: too many commands queued, dropped " + line);
                }
            }
        } catch (IOException e) {
            System.err.println("presence clients: reading stdin failed: " + e);
        }
        if (!exiting.get()) {
            System.err.println("presence clients: stdin closed before EXIT, exiting");
            System.exit(EXIT_STDIN_CLOSED);
        }
    }

    private static void quietLogging() {
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        for (Handler handler : root.getHandlers()) {
            handler.setLevel(Level.WARNING);
        }
    }
}
