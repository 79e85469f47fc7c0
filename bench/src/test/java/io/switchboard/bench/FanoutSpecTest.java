package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FanoutSpecTest {
    private static FanoutSpec spec(int clients, int rooms, int gateways) {
        return new FanoutSpec(clients, rooms, 200, Duration.ofSeconds(20), Duration.ofSeconds(5), 64, gateways, 1,
                Duration.ofSeconds(10));
    }

    @Test
    void everyRoomHasSubscribersOnEveryGateway() {
        FanoutSpec spec = spec(1000, 20, 2);
        Set<String> roomAndGateway = new HashSet<>();
        int total = 0;
        for (int i = 0; i < spec.clients(); i++) {
            roomAndGateway.add(spec.roomOf(i) + "@" + spec.endpointOfSubscriber(i, 2));
        }
        for (int r = 0; r < spec.rooms(); r++) {
            total += spec.subscribersOf(r);
        }
        assertThat(roomAndGateway).hasSize(40);
        assertThat(total).isEqualTo(1000);
        assertThat(spec.subscribersOf(0)).isEqualTo(50);
    }

    @Test
    void unevenSplitsStillCountEverySubscriber() {
        FanoutSpec spec = spec(23, 5, 1);
        int total = 0;
        for (int r = 0; r < spec.rooms(); r++) {
            total += spec.subscribersOf(r);
        }
        assertThat(total).isEqualTo(23);
        assertThat(spec.subscribersOf(2)).isEqualTo(5);
        assertThat(spec.subscribersOf(3)).isEqualTo(4);
    }

    @Test
    void publishersPaceTheTotalRate() {
        assertThat(spec(1000, 20, 2).publishIntervalNanos()).isEqualTo(100_000_000L);
    }

    @Test
    void rejectsBadValuesNamingTheField() {
        assertThatThrownBy(() -> spec(10, 0, 1)).hasMessage("rooms: 0 (expected: >= 1)");
        assertThatThrownBy(() -> spec(10, 20, 1)).hasMessage("clients: 10 (expected: >= rooms (20))");
        assertThatThrownBy(() -> new FanoutSpec(10, 2, 0, Duration.ofSeconds(1), Duration.ZERO, 64, 1, 1, Duration.ZERO))
                .hasMessage("rate: 0.0 (expected: > 0)");
        assertThatThrownBy(() -> new FanoutSpec(10, 2, 1, Duration.ofSeconds(1), Duration.ZERO, 7, 1, 1, Duration.ZERO))
                .hasMessage("payloadBytes: 7 (expected: >= 8)");
    }

    @Test
    void fanoutIsTheDefaultSubcommandAndHasTheDocumentedDefaults() {
        CommandLine cli = BenchMain.commandLine();
        CommandLine.ParseResult parsed = cli.parseArgs(BenchMain.withDefaultSubcommand(new String[] {"--only", "baseline"}));
        FanoutCommand command = (FanoutCommand) parsed.subcommand().commandSpec().userObject();

        assertThat(command.spec()).isEqualTo(new FanoutSpec(1000, 20, 200, Duration.ofSeconds(20), Duration.ofSeconds(5),
                64, 2, 1, Duration.ofSeconds(10)));
        assertThat(command.only).isEqualTo(FanoutBenchmark.Targets.BASELINE);
        assertThat(command.out).isEqualTo(Path.of("bench/target/fanout-results.md"));
    }

    @Test
    void everyBenchmarkTakesTheLogLevelFromItsBaseClass() {
        CommandLine cli = BenchMain.commandLine();
        assertThat(cli.getSubcommands()).isNotEmpty();
        cli.getSubcommands().forEach((name, sub) -> {
            Object command = sub.getCommand();
            assertThat(command).as(name).isInstanceOf(BenchCommand.class);
            assertThat(sub.getCommandSpec().findOption("--log-level")).as(name).isNotNull();
        });
    }

    @Test
    void optionsReachTheSpec() {
        CommandLine cli = BenchMain.commandLine();
        CommandLine.ParseResult parsed = cli.parseArgs("fanout", "--clients", "40", "--rooms", "4", "--rate", "12.5",
                "--duration", "PT3S", "--warmup", "PT0S", "--payload-bytes", "100", "--gateways", "3", "--routers", "2");
        FanoutCommand command = (FanoutCommand) parsed.subcommand().commandSpec().userObject();

        assertThat(command.spec()).isEqualTo(new FanoutSpec(40, 4, 12.5, Duration.ofSeconds(3), Duration.ZERO, 100, 3, 2,
                Duration.ofSeconds(10)));
    }
}
