package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AotCacheTest {
    private static final Instant BUILT = Instant.parse("2026-12-03T10:00:00Z");

    @TempDir
    Path dir;

    private Path file(String name, Instant modified) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, name);
        Files.setLastModifiedTime(p, FileTime.from(modified));
        return p;
    }

    @Test
    void aCacheWrittenAfterTheJarsIsCurrent() throws Exception {
        Path jar = file("switchboard-launcher.jar", BUILT);
        file("libs/kafka-clients.jar", BUILT.minusSeconds(3600));
        Path cache = file("switchboard.aot", BUILT.plusSeconds(60));

        assertThat(AotCache.current(cache, jar)).isTrue();
    }

    @Test
    void aRebuiltLauncherJarOrLibraryMakesItStale() throws Exception {
        Path jar = file("switchboard-launcher.jar", BUILT);
        Path lib = file("libs/switchboard-gateway.jar", BUILT);
        Path cache = file("switchboard.aot", BUILT.plusSeconds(60));

        Files.setLastModifiedTime(lib, FileTime.from(BUILT.plusSeconds(120)));
        assertThat(AotCache.current(cache, jar)).isFalse();

        Files.setLastModifiedTime(lib, FileTime.from(BUILT));
        Files.setLastModifiedTime(jar, FileTime.from(BUILT.plusSeconds(120)));
        assertThat(AotCache.current(cache, jar)).isFalse();
    }

    @Test
    void noCacheIsNotCurrent() throws Exception {
        Path jar = file("switchboard-launcher.jar", BUILT);

        assertThat(AotCache.current(dir.resolve("switchboard.aot"), jar)).isFalse();
    }

    @Test
    void theMeasuredPlatformRefusesACacheThatDoesNotFit() {
        assertThat(AotCache.useOptions(Path.of("x.aot")))
                .containsExactly("-XX:AOTCache=" + Path.of("x.aot").toAbsolutePath(), "-XX:AOTMode=on");
    }

    @Test
    void trainingKeepsTheClientSettingsAndShortensTheWindows() {
        CompareCommand compare = new CompareCommand();
        new CommandLine(compare).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(
                "--secret", "a-secret-of-the-deployment-0123456789", "--processes", "3", "--source-addresses", "8",
                "--rate", "1000", "--out", "somewhere/results");

        LoadSettings training = AotCache.training(compare.settings, WireFormat.PROTO);

        assertThat(training.workloads).containsExactly(Workload.FANOUT, Workload.ACKS);
        assertThat(training.subprotocol).isEqualTo(WireFormat.PROTO);
        assertThat(training.rates).containsExactly(500.0);
        assertThat(training.warmup).isEqualTo(Duration.ofSeconds(20));
        assertThat(training.duration).isEqualTo(Duration.ofSeconds(15));
        assertThat(training.secret).isEqualTo("a-secret-of-the-deployment-0123456789");
        assertThat(training.processes).isEqualTo(3);
        assertThat(training.sourceAddresses).isEqualTo(8);
        assertThat(training.workerJvmOptions).isEqualTo(compare.settings.workerJvmOptions);
        assertThat(training.out).isEqualTo(Path.of("somewhere/results-aot-training"));
        assertThat(List.of(training.rooms, training.members)).containsExactly(100, 50);
    }
}
