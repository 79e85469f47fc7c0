package io.switchboard.kafka.embedded;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A node running {@link KafkaNodeMain} in its own JVM, so that chaos tests can SIGKILL it. The child's stdout and
 * stderr are appended to {@link NodeSpec#processLog()}; restarts append to the same file.
 *
 * <p>Thread-safe: the running process is held in an atomic reference.
 */
final class ChildProcessNode implements KafkaNode {

    private static final System.Logger LOG = System.getLogger(ChildProcessNode.class.getName());
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 40;

    private final NodeSpec spec;
    private final List<String> command;
    private final AtomicReference<Process> process = new AtomicReference<>();

    ChildProcessNode(NodeSpec spec, List<String> command) {
        this.spec = spec;
        this.command = List.copyOf(command);
    }

    /**
     * A node whose JVM runs this JVM's java binary and classpath, -Xmx512m, then {@code extraJvmOptions}; the child
     * exits by itself when this JVM disappears.
     */
    static ChildProcessNode create(NodeSpec spec, List<String> extraJvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-XX:+ExitOnOutOfMemoryError");
        if (Runtime.version().feature() >= 24) {
            // Kafka unmaps buffers through sun.misc.Unsafe; JDK 24+ warns about it on every start.
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.add("-Djava.util.logging.SimpleFormatter.format=%1$tF %1$tT.%1$tL %4$s %3$s - %5$s%6$s%n");
        String level = KafkaLogLevels.requestedLevel();
        if (level != null && !level.isBlank()) {
            command.add("-D" + KafkaLogLevels.LEVEL_PROPERTY + "=" + level);
        }
        command.addAll(extraJvmOptions);
        command.add("-cp");
        command.add(absoluteClasspath());
        command.add(KafkaNodeMain.class.getName());
        command.add("--config");
        command.add(spec.propertiesFile().toString());
        command.add("--parent-pid");
        command.add(Long.toString(ProcessHandle.current().pid()));
        return new ChildProcessNode(spec, command);
    }

    /** This JVM's classpath with every entry made absolute: the child's working directory is the node's. */
    private static String absoluteClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    @Override
    public NodeSpec spec() {
        return spec;
    }

    @Override
    public void launch() throws IOException {
        Files.writeString(spec.processLog(),
                "=== switchboard-embedded-kafka: starting node " + spec.id() + " at " + Instant.now() + System.lineSeparator()
                        + "=== " + describeCommand() + System.lineSeparator(),
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(spec.directory().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.processLog().toFile()));
        Process previous = process.get();
        if (previous != null && previous.isAlive()) {
            throw new IllegalStateException("node " + spec.id() + " is already running");
        }
        Process started = builder.start();
        started.getOutputStream().close(); // the node reads no input
        // previous may be a JVM that died on its own; it is replaced.
        if (!process.compareAndSet(previous, started)) {
            started.destroyForcibly();
            throw new IllegalStateException("node " + spec.id() + " is already running");
        }
    }

    /** The command line with the (long) classpath shortened to its entry count. */
    private String describeCommand() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < command.size(); i++) {
            boolean classpath = i > 0 && command.get(i - 1).equals("-cp");
            String part = classpath
                    ? "<" + command.get(i).split(File.pathSeparator).length + " classpath entries>"
                    : command.get(i);
            text.append(i == 0 ? "" : " ").append(part);
        }
        return text.toString();
    }

    @Override
    public boolean isRunning() {
        Process current = process.get();
        return current != null && current.isAlive();
    }

    @Override
    public Optional<String> failure() {
        Process current = process.get();
        if (current == null) {
            return Optional.of("node " + spec.id() + " is not running");
        }
        if (!current.isAlive()) {
            return Optional.of("node " + spec.id() + "'s JVM (pid " + current.pid() + ") exited with code "
                    + current.exitValue());
        }
        return Optional.empty();
    }

    @Override
    public void stop(Duration grace) throws InterruptedException {
        Process current = process.getAndSet(null);
        if (current == null || !current.isAlive()) {
            return;
        }
        current.destroy(); // SIGTERM: KafkaNodeMain's shutdown hook runs a controlled shutdown
        if (!current.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.log(System.Logger.Level.WARNING, "node {0} (pid {1}) did not exit within {2} of SIGTERM; killing it",
                    spec.id(), current.pid(), grace);
            current.destroyForcibly();
            current.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void kill() throws InterruptedException {
        Process current = process.getAndSet(null);
        if (current == null) {
            return;
        }
        current.destroyForcibly();
        // Wait so that the ports and the log dir lock are free for restartNode.
        if (!current.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("node " + spec.id() + " (pid " + current.pid()
                    + ") still alive " + KILL_WAIT + " after SIGKILL");
        }
    }

    @Override
    public OptionalLong pid() {
        Process current = process.get();
        return current != null && current.isAlive() ? OptionalLong.of(current.pid()) : OptionalLong.empty();
    }

    @Override
    public String diagnostics() {
        if (!Files.isRegularFile(spec.processLog())) {
            return "no log at " + spec.processLog();
        }
        Deque<String> tail = new ArrayDeque<>(LOG_TAIL_LINES);
        try (Stream<String> lines = Files.lines(spec.processLog(), StandardCharsets.UTF_8)) {
            lines.forEach(line -> {
                if (tail.size() == LOG_TAIL_LINES) {
                    tail.removeFirst();
                }
                tail.addLast(line);
            });
        } catch (IOException | UncheckedIOException e) {
            return "cannot read " + spec.processLog() + ": " + e;
        }
        return "last " + tail.size() + " lines of " + spec.processLog() + ":" + System.lineSeparator()
                + String.join(System.lineSeparator(), tail);
    }
}
