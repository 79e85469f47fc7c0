package io.switchboard.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The launcher's temporary directory, {@code <java.io.tmpdir>/switchboard-launcher-<pid>}: the embedded broker's
 * and the history store's data live there unless configured elsewhere. {@link #delete()} removes it on a clean exit;
 * a process that dies without one (SIGKILL, a crash) leaves it behind, and the next launcher removes every such
 * directory whose process is gone when it creates its own. Not thread-safe.
 */
final class ScratchSpace {
    static final String PREFIX = "switchboard-launcher-";
    private static final Logger LOG = Logger.getLogger(ScratchSpace.class.getName());

    private final Path root;

    private ScratchSpace(Path root) {
        this.root = root;
    }

    /** Removes the directories of launchers that are gone, then creates this process's directory under {@code parent}. */
    static ScratchSpace create(Path parent) {
        removeAbandoned(parent);
        Path root = parent.resolve(PREFIX + ProcessHandle.current().pid());
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("scratch directory " + root + " (expected: creatable)", e);
        }
        return new ScratchSpace(root);
    }

    /** This process's scratch space in the system's temporary directory. */
    static ScratchSpace create() {
        return create(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** A directory {@code name} in the scratch space (created). */
    Path directory(String name) {
        Path dir = root.resolve(name);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("scratch directory " + dir + " (expected: creatable)", e);
        }
    }

    Path root() {
        return root;
    }

    /** Deletes the scratch space and everything in it. */
    void delete() {
        deleteRecursively(root);
    }

    /** The directories under {@code parent} of launcher processes that no longer run, deleted. */
    static void removeAbandoned(Path parent) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path dir : dirs) {
                Optional<Long> pid = pidOf(dir);
                if (pid.isPresent() && ProcessHandle.of(pid.get()).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                if (pid.isPresent()) {
                    LOG.info("removing " + dir + ", left behind by launcher process " + pid.get());
                    deleteRecursively(dir);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.WARNING, "could not look for abandoned launcher directories in " + parent, e);
        }
    }

    private static Optional<Long> pidOf(Path dir) {
        try {
            return Optional.of(Long.parseLong(dir.getFileName().toString().substring(PREFIX.length())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
