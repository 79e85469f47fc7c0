package io.switchboard.service;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Runs a tier's release steps in the order given, each even if an earlier one failed: a failure is logged as
 * a warning ({@code "<owner>: failed to <what>"}) with its exception, then the next step runs. Steps whose
 * resource was never opened ({@code null}) are skipped. Stateless apart from its names, hence thread-safe.
 */
public final class ReleaseSteps {
    private final String owner;
    private final System.Logger log;

    /**
     * @param owner names the tier instance in the warnings, such as {@code "presence p-1"}
     * @param log   the tier's logger
     */
    public ReleaseSteps(String owner, System.Logger log) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** Applies {@code action} to {@code resource} unless it is null; a failure is logged, not thrown. */
    public <T> void run(String what, T resource, Consumer<? super T> action) {
        if (resource == null) {
            return;
        }
        try {
            action.accept(resource);
        } catch (RuntimeException e) {
            log.log(Level.WARNING, owner + ": failed to " + what, e);
        }
    }
}
