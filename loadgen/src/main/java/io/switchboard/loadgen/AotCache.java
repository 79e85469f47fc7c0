package io.switchboard.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The platform's ahead-of-time cache (JDK 25, JEP 483/514/515): the classes it loads already parsed and linked,
 * and the method profiles of a training run, so that a fresh platform starts in a fraction of the time and its JIT
 * compiles the hot paths from the first minute on instead of profiling them first. Trained in the two steps of
 * JEP 483: the platform runs with {@code -XX:AOTMode=record} while the generator drives it (fan-out over both
 * subprotocols, acks) and writes what it loaded and profiled as it exits; a second JVM with {@code -XX:AOTMode=create}
 * turns that into the cache. (The one-step {@code -XX:AOTCacheOutput} assembles the cache in a child of the exiting
 * JVM, which the platform's exit, a signal's shutdown racing its main thread's return, cut short in one of two
 * tries.) A cache belongs to one build: the JVM refuses it when a jar on the class path changed. Stateless;
 * thread-safe.
 */
final class AotCache {
    /** First JDK whose cache keeps the training's method profiles (JEP 515). */
    static final int MIN_JAVA = 25;
    // Writing the training's configuration at exit, and assembling the cache from it, each take seconds to a minute.
    private static final Duration EXIT_GRACE = Duration.ofMinutes(5);

    private AotCache() {
    }

    /** JVM options that start the platform from {@code cache}, failing at start-up when it does not fit the jars. */
    static List<String> useOptions(Path cache) {
        return List.of("-XX:AOTCache=" + cache.toAbsolutePath(), "-XX:AOTMode=on");
    }

    /** True when {@code cache} exists and is newer than the launcher jar and every jar beside it in {@code libs}. */
    static boolean current(Path cache, Path launcherJar) {
        if (!Files.isRegularFile(cache) || !Files.isRegularFile(launcherJar)) {
            return false;
        }
        try {
            FileTime made = Files.getLastModifiedTime(cache);
            if (Files.getLastModifiedTime(launcherJar).compareTo(made) > 0) {
                return false;
            }
            Path libs = launcherJar.toAbsolutePath().resolveSibling("libs");
            if (!Files.isDirectory(libs)) {
                return true;
            }
            try (Stream<Path> jars = Files.list(libs)) {
                return jars.allMatch(j -> modified(j).compareTo(made) <= 0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Trains {@code cache}: starts the platform with {@code -XX:AOTMode=record}, runs fan-out and acks over JSON and
     * over the binary subprotocol (short windows, the rest of {@code base}'s client settings), stops it, and
     * assembles the cache from what it recorded.
     *
     * @throws IllegalStateException when the JVM is older than {@value #MIN_JAVA} or no cache came out
     */
    static void train(PlatformOptions platform, LoadSettings base, Path cache, PrintStream log) {
        if (Runtime.version().feature() < MIN_JAVA) {
            throw new IllegalStateException("an AOT cache needs Java " + MIN_JAVA + "+ (this is "
                    + Runtime.version().feature() + ")");
        }
        Path config = cache.toAbsolutePath().resolveSibling(cache.getFileName() + ".config");
        try {
            Files.createDirectories(cache.toAbsolutePath().getParent());
            Files.deleteIfExists(cache);
            Files.deleteIfExists(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path trainingLog = base.out.toAbsolutePath().getParent().resolve("switchboard-aot-training.log");
        log.println("aot-cache: training " + cache + " (platform log " + trainingLog + ")");
        ServerProcess server = platform.start(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + config),
                base.secret, trainingLog);
        try {
            Target target = new Target("aot-training", server.awaitUrls(platform.startTimeout), List.of(server.pid()));
            for (WireFormat format : WireFormat.values()) {
                new TargetRun(training(base, format), target, log).run();
            }
        } finally {
            server.close(EXIT_GRACE);
        }
        if (!Files.isRegularFile(config)) {
            throw new IllegalStateException("the training platform recorded nothing in " + config + "; see " + trainingLog);
        }
        assemble(platform, config, cache, trainingLog);
        log.printf("aot-cache: wrote %s (%d MiB)%n", cache, size(cache) >> 20);
    }

    /** Runs {@code -XX:AOTMode=create} on the training's class path; its output goes to {@code log}. */
    private static void assemble(PlatformOptions platform, Path config, Path cache, Path log) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(platform.serverJvm());
        cmd.addAll(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + config,
                "-XX:AOTCache=" + cache.toAbsolutePath(), "-cp", platform.launcherJar.toString()));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            ChildProcesses.awaitExitOrKill(p, EXIT_GRACE);
            int exit = p.isAlive() ? -1 : p.exitValue();
            if (exit != 0 || !Files.isRegularFile(cache)) {
                throw new IllegalStateException("assembling the AOT cache failed (exit " + exit + "); see " + log);
            }
            Files.deleteIfExists(config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot assemble the AOT cache: " + cmd, e);
        }
    }

    /** The training's settings: fan-out and acks over {@code format} with short windows, clients as in {@code base}. */
    static LoadSettings training(LoadSettings base, WireFormat format) {
        Holder holder = new Holder();
        new CommandLine(holder).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(
                "--workload", "fanout,acks", "--rate", "500", "--subprotocol", format.name(),
                "--warmup", "PT20S", "--later-warmup", "PT5S", "--duration", "PT15S",
                "--secret", base.secret, "--processes", Integer.toString(base.processes),
                "--io-threads", Integer.toString(base.ioThreads),
                "--source-addresses", Integer.toString(base.sourceAddresses),
                "--worker-jvm-options", String.join(" ", base.workerJvmOptions),
                "--out", base.out + "-aot-training");
        return holder.settings;
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Command
    private static final class Holder {
        @Mixin
        LoadSettings settings;
    }
}
