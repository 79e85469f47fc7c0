package io.switchboard.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when a tool it needs (Chromium, HAProxy, nginx, node, python3-yaml, a built bundle) is
 * missing: on a developer's machine it is skipped with the reason; in CI (the environment variable {@code CI} is
 * set, to anything but {@code false}) it fails, because CI installs every such tool and a silent skip would hide
 * a test that no longer runs. Testcontainers' "Docker is not available" skip is not a missing tool: there is no
 * Docker engine on these machines by design.
 *
 * <p>Usage: {@code RequiredTool.executable(Path.of("/usr/sbin/haproxy"), "apt-get install haproxy")} at the start
 * of a test or in its {@code @BeforeAll}. Stateless apart from the environment it reads; thread-safe.
 */
public final class RequiredTool {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

    private final boolean ci;

    RequiredTool(Map<String, String> environment) {
        String value = environment.get("CI");
        this.ci = value != null && !value.isBlank() && !value.equalsIgnoreCase("false");
    }

    private static RequiredTool fromEnvironment() {
        return new RequiredTool(System.getenv());
    }

    /** True when running in CI, where a missing tool fails the test. */
    public static boolean inCi() {
        return fromEnvironment().ci;
    }

    /**
     * Requires {@code present}: when false the test is skipped, or fails in CI.
     *
     * @param what names the tool and how to get it, e.g. {@code "haproxy (apt-get install haproxy)"}
     */
    public static void require(boolean present, String what) {
        fromEnvironment().check(present, what);
    }

    /** Requires the executable file {@code binary}. */
    public static void executable(Path binary, String install) {
        require(Files.isExecutable(binary), binary + " (" + install + ")");
    }

    /** Requires that {@code command} runs and exits 0 within 30 s, e.g. {@code node --version}. */
    public static void command(List<String> command, String install) {
        require(runs(command), String.join(" ", command) + " (" + install + ")");
    }

    void check(boolean present, String what) {
        if (present) {
            return;
        }
        if (ci) {
            Assertions.fail("missing in CI, where every tool a test needs is installed: " + what);
        }
        Assumptions.abort("skipped: missing " + what + " (in CI, with CI set, this fails)");
    }

    private static boolean runs(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(PROBE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
