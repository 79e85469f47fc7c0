package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the generator's command line in the test's JVM. Picocli prints an exception that escapes a command (even one
 * its handler throws again) and returns an exit code, so a test that only checked the code would fail with "expected
 * 0 but was 1" and leave the why (a server's last lines, say) in the test's output file; these keep the exception.
 */
final class CommandRuns {
    private CommandRuns() {
    }

    /** Runs {@code args}; a run that fails fails the caller with the run's exception as its cause. */
    static void succeed(String... args) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        int exit = execute(failure, args);
        if (failure.get() != null) {
            throw new AssertionError("the run failed: " + failure.get().getMessage(), failure.get());
        }
        assertThat(exit).as("exit code").isZero();
    }

    /** Runs {@code args}, which must fail; returns the exception that stopped the run. */
    static Exception failure(String... args) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        int exit = execute(failure, args);
        assertThat(failure.get()).as("the run's failure (exit code " + exit + ")").isNotNull();
        assertThat(exit).as("exit code").isNotZero();
        return failure.get();
    }

    private static int execute(AtomicReference<Exception> failure, String... args) {
        return LoadMain.commandLine().setExecutionExceptionHandler((e, command, parsed) -> {
            failure.set(e);
            return command.getCommandSpec().exitCodeOnExecutionException();
        }).execute(args);
    }
}
