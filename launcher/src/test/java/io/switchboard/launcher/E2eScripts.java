package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.switchboard.testkit.RequiredTool;

/**
 * What the browser tests share: the {@code e2e} directory of Node scripts that drive headless Chromium, the check
 * that Chromium, node and the page bundle are there (skip locally, fail in CI: {@link RequiredTool}), and
 * {@code npm ci} on first use.
 */
final class E2eScripts {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DIRECTORY = Path.of("..", "e2e").toAbsolutePath().normalize();
    static final Path ARTIFACTS = Path.of("target", "e2e").toAbsolutePath();
    private static final Duration NPM_TIMEOUT = Duration.ofMinutes(3);

    private E2eScripts() {
    }

    /** Requires Chromium, node and the built page bundle; installs the scripts' packages if needed. */
    static void require() throws IOException, InterruptedException {
        RequiredTool.executable(CHROMIUM, ".ci/run installs the Debian package chromium");
        RequiredTool.command(List.of("node", "--version"), "Node.js >= 20 comes with the machine");
        RequiredTool.require(E2eScripts.class.getClassLoader().getResource("web/switchboard-client.js") != null,
                "web/switchboard-client.js (built unless the build ran with -Dskip.npm=true)");
        if (!Files.isDirectory(DIRECTORY.resolve("node_modules/playwright-core"))) {
            assertThat(runs(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), DIRECTORY,
                    NPM_TIMEOUT)).as("npm ci in " + DIRECTORY).isTrue();
        }
    }

    /**
     * Runs a command to its end within {@code timeout} (with {@code E2E_ARTIFACTS} set to target/e2e); true when it
     * exited 0. Its output goes to a file {@code <command>-<first argument>.log} under target/e2e (written straight to this JVM's stdout it would corrupt Surefire's channel) and to stdout after.
     */
    static boolean runs(List<String> command, Path directory, Duration timeout) throws InterruptedException,
            IOException {
        Path log = Files.createDirectories(ARTIFACTS).resolve(command.get(0) + "-" + command.get(1) + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("E2E_ARTIFACTS", ARTIFACTS.toString());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return false; // not installed
        }
        boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            process.destroyForcibly();
        }
        System.out.println(String.join(" ", command) + " | " + Files.readString(log).strip());
        return ended && process.exitValue() == 0;
    }
}
