package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LoadSettingsTest {
    private static LoadSettings parse(String... args) {
        CompareCommand compare = new CompareCommand();
        new CommandLine(compare).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return compare.settings;
    }

    @Test
    void idleWorkersCompileWithC1OnlyOnTopOfTheWorkerOptions() {
        LoadSettings settings = parse();

        assertThat(settings.workerJvmOptionsFor(Workload.FANOUT))
                .containsExactly("--enable-native-access=ALL-UNNAMED", "-Xmx768m", "-XX:+UseSerialGC");
        assertThat(settings.workerJvmOptionsFor(Workload.ACKS))
                .isEqualTo(settings.workerJvmOptionsFor(Workload.FANOUT));
        assertThat(settings.workerJvmOptionsFor(Workload.IDLE))
                .containsExactly("--enable-native-access=ALL-UNNAMED", "-Xmx768m", "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1");
    }

    @Test
    void theIdleOptionsAddToTheUsersWorkerOptionsAndAnEmptyValueAddsNothing() {
        assertThat(parse("--worker-jvm-options", "-Xmx2g -XX:+UseParallelGC").workerJvmOptionsFor(Workload.IDLE))
                .containsExactly("-Xmx2g", "-XX:+UseParallelGC", "-XX:TieredStopAtLevel=1");
        assertThat(parse("--idle-worker-jvm-options=").workerJvmOptionsFor(Workload.IDLE))
                .containsExactly("--enable-native-access=ALL-UNNAMED", "-Xmx768m", "-XX:+UseSerialGC");
    }

    @Test
    void tokensAreSignedWithTheKeyWhenOneIsGivenAndCompareRefusesTheDeploymentOptions() {
        assertThat(parse().tokenSpec()).isEqualTo(TokenSpec.hs256(LoadSettings.DEFAULT_SECRET));
        TokenSpec keyed = parse("--token-key", "k.pem", "--token-key-id", "k1", "--issuer", "i", "--audience", "a")
                .tokenSpec();
        assertThat(keyed.asymmetric()).isTrue();
        assertThat(keyed.keyFile()).endsWith("/k.pem");
        assertThat(keyed).extracting(TokenSpec::keyId, TokenSpec::issuer, TokenSpec::audience)
                .containsExactly("k1", "i", "a");

        StringWriter err = new StringWriter();
        int exit = LoadMain.commandLine().setErr(new PrintWriter(err))
                .execute("compare", "--targets", "helidon", "--token-key", "k.pem");
        assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("compare starts its own servers, which verify --secret and serve ws://");
    }
}
