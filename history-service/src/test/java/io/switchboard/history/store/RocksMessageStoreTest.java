package io.switchboard.history.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Runs the {@link MessageStoreContract} against RocksDB. */
class RocksMessageStoreTest extends MessageStoreContract {
    @TempDir
    Path dir;

    @Override
    protected MessageStore openFresh() {
        return RocksMessageStore.open(dir.resolve("db"));
    }

    @Override
    protected MessageStore reopen(MessageStore current) {
        current.close();
        return RocksMessageStore.open(dir.resolve("db"));
    }

    @Test
    void closedStoreRefusesReads() {
        MessageStore other = RocksMessageStore.open(dir.resolve("other"));
        other.close();
        other.close();
        assertThatThrownBy(() -> other.latest("chat:a", 1)).isInstanceOf(IllegalStateException.class);
    }
}
