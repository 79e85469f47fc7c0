package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.switchboard.testkit.RequiredTool;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the browser tests share: the tools they need (Chromium, node, playwright-core under {@code e2e/}, the
 * page's bundle) and running a command to its end with its output kept out of Surefire's channel.
 */
final class BrowserScripts {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path E2E = Path.of("..", "e2e").toAbsolutePath().normalize();
    /** Where the scripts put screenshots and logs (passed to them as {@code E2E_ARTIFACTS}). */
    static final Path ARTIFACTS = Path.of("target", "e2e").toAbsolutePath();
    private static final Duration NPM_TIMEOUT = Duration.ofMinutes(3);

    private BrowserScripts() {
    }

    /** A browser test's precondition: {@code @ExtendWith(BrowserScripts.Required.class)}, {@link #requireBrowserAndNode}. */
    static final class Required implements BeforeEachCallback {
        @Override
        public void beforeEach(ExtensionContext context) throws Exception {
            requireBrowserAndNode();
        }
    }

    /**
     * Skips (fails in CI, {@link RequiredTool}) without Chromium, node or the page's bundle; installs the e2e
     * scripts' node modules when missing.
     */
    static void requireBrowserAndNode() throws Exception {
        RequiredTool.executable(CHROMIUM, ".ci/run installs the Debian package chromium");
        RequiredTool.command(List.of("node", "--version"), "Node.js >= 20 comes with the machine");
        RequiredTool.require(BrowserScripts.class.getClassLoader().getResource("web/switchboard-client.js") != null,
                "web/switchboard-client.js (built unless the build ran with -Dskip.npm=true)");
        if (!Files.isDirectory(E2E.resolve("node_modules/playwright-core"))) {
            assertThat(runs(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), E2E, NPM_TIMEOUT))
                    .as("npm ci in " + E2E).isTrue();
        }
    }

    /**
     * Runs a command to its end within {@code timeout} (with {@code E2E_ARTIFACTS} set to {@link #ARTIFACTS}); true
     * when it exited 0. Its output goes to a file {@code <command>-<first argument>.log} under target/e2e (written
     * straight to this JVM's stdout it would corrupt Surefire's channel) and to stdout after.
     */
    static boolean runs(List<String> command, Path directory, Duration timeout) throws InterruptedException, IOException {
        return run(command, directory, timeout).exitedZero();
    }

    /** What {@link #run} saw: whether the command exited 0 in time, and its output. */
    record Outcome(boolean exitedZero, String output) {
    }

    /** {@link #runs}, also returning the output. */
    static Outcome run(List<String> command, Path directory, Duration timeout) throws InterruptedException, IOException {
        Path log = Files.createDirectories(ARTIFACTS).resolve(command.get(0) + "-" + command.get(1) + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("E2E_ARTIFACTS", ARTIFACTS.toString());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new Outcome(false, "cannot start " + command + ": " + e); // not installed
        }
        boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(log).strip();
        System.out.println(String.join(" ", command) + " | " + output);
        return new Outcome(ended && process.exitValue() == 0, output);
    }
}
