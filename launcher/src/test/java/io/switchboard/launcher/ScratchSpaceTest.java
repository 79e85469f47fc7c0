package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A launcher killed without a clean exit leaves its scratch space behind; the next launcher removes it. */
class ScratchSpaceTest {
    @Test
    void createRemovesTheSpacesOfProcessesThatAreGoneAndKeepsLiveOnes(@TempDir Path tmp) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path abandoned = Files.createDirectories(tmp.resolve(ScratchSpace.PREFIX + gone.pid()).resolve("kafka"))
                .getParent();
        Files.writeString(abandoned.resolve("kafka").resolve("meta.properties"), "left behind");
        Path live = Files.createDirectories(tmp.resolve(ScratchSpace.PREFIX + ProcessHandle.current().parent()
                .orElseThrow().pid()));
        Path notOurs = Files.createDirectories(tmp.resolve(ScratchSpace.PREFIX + "notes"));

        ScratchSpace scratch = ScratchSpace.create(tmp);
        Path history = scratch.directory("history");

        assertThat(abandoned).doesNotExist();
        assertThat(live).isDirectory();
        assertThat(notOurs).isDirectory();
        assertThat(history).isDirectory().startsWith(tmp.resolve(ScratchSpace.PREFIX + ProcessHandle.current().pid()));
        scratch.delete();
        assertThat(scratch.root()).doesNotExist();
    }
}
