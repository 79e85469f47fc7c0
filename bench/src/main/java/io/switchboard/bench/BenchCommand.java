package io.switchboard.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * What every benchmark command shares: the servers' log level ({@link BenchLogging}, {@code --log-level}) is set
 * before the run, and the exit code says whether every result was clean (0) or not (1). A command declares its own
 * options and implements {@link #run()}. Not thread-safe.
 */
public abstract class BenchCommand implements Callable<Integer> {
    @Mixin
    private BenchLogging logging;

    @Override
    public final Integer call() throws Exception {
        logging.apply();
        return run() ? 0 : 1;
    }

    /** Runs the benchmark and writes its results; false when a result was not clean (failures, lost messages). */
    protected abstract boolean run() throws Exception;
}
