package io.switchboard.router;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test opened, closed last first when the test ends (held in an {@code @AutoClose} field). Its close throws
 * whatever a resource's close throws, as the hand-written loops it replaces did, hence the "try" lint off.
 */
@SuppressWarnings("try")
final class OpenedResources implements AutoCloseable {
    private final List<AutoCloseable> opened = new ArrayList<>();

    void add(AutoCloseable resource) {
        opened.add(resource);
    }

    /** Closes each resource, the last opened first; the first that fails ends it with its exception. */
    @Override
    public void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }
}
