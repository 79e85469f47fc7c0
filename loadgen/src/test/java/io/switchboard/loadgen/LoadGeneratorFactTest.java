package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.launcher.LocalCluster;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * The generator at a small size against a real platform (two gateways, history, presence, an embedded Kafka
 * broker, in this JVM), its clients in two worker processes. Asserts facts only, never timings: every measured
 * publish was acknowledged, every due delivery arrived exactly once, the counts add up, nothing was dropped.
 */
class LoadGeneratorFactTest {
    private static final String SECRET = "load-generator-fact-test-secret-0123456789";
    private static final int ROOMS = 4;
    private static final int MEMBERS = 5;
    private static LocalCluster cluster;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPlatform() {
        // Compression on: only clients that offer permessage-deflate (--compression) get it.
        cluster = LocalCluster.builder().gateways(2).history(true)
                .set("gateway.auth.hs256-secret", SECRET).set("gateway.compression.enabled", "true").build().start();
    }

    @AfterAll
    static void stopPlatform() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void everyPublishIsAckedAndEveryDeliveryArrives(WireFormat subprotocol) throws Exception {
        Path out = dir.resolve("facts-" + subprotocol);
        LoadReport report = run(out,
                "--url", cluster.webSocketUri(0) + "," + cluster.webSocketUri(1),
                "--subprotocol", subprotocol.name(),
                "--workload", "fanout,acks",
                "--rooms", Integer.toString(ROOMS), "--members", Integer.toString(MEMBERS), "--rate", "60",
                "--ack-clients", "12", "--ack-rate", "2", "--ack-rooms", "3", "--ack-members", "2",
                "--warmup", "PT1S", "--later-warmup", "PT1S", "--duration", "PT2S", "--drain-timeout", "PT20S");
        assertThat(report.targets()).hasSize(1);
        List<StepFigures> steps = report.targets().getFirst().steps();
        assertThat(steps).extracting(StepFigures::workload).containsExactly("fanout", "acks");
        StepFigures fanout = steps.get(0);
        StepFigures acks = steps.get(1);
        // 60 publishes/s for 2 s, every one into a room of MEMBERS subscribers.
        assertThat(fanout.sent()).isEqualTo(120);
        assertThat(acks.sent()).isEqualTo(48);
        assertThat(fanout.expected()).isEqualTo(fanout.sent() * MEMBERS);
        assertThat(acks.expected()).isEqualTo(acks.sent() * 2);
        for (StepFigures step : steps) {
            assertThat(step.acked()).as(step.workload() + " acked").isEqualTo(step.sent());
            assertThat(step.ackErrors()).as(step.workload() + " ack errors").isZero();
            assertThat(step.delivered()).as(step.workload() + " delivered").isEqualTo(step.expected());
            assertThat(step.lost()).isZero();
            assertThat(step.duplicates()).as(step.workload() + " duplicates").isZero();
            assertThat(step.errors()).as(step.workload() + " errors: " + step.firstError()).isZero();
            assertThat(step.warmupErrors()).as(step.workload() + " warm-up errors: " + step.firstError()).isZero();
            assertThat(step.drops()).isZero();
            assertThat(step.clean()).isTrue();
            // The timeline's window seconds hold exactly the window's deliveries.
            assertThat(step.timeline()).isNotEmpty();
            assertThat(step.timeline().stream().filter(SecondFigures::measured).mapToLong(SecondFigures::deliveries).sum())
                    .as(step.workload() + " deliveries in the timeline's window").isEqualTo(step.delivered());
        }
        assertThat(Files.readString(out.resolveSibling(out.getFileName() + ".md")))
                .contains("| platform | fanout |", "| platform | acks |", "| second | platform fanout 60.0/s p99 ms |");
    }

    @Test
    void compressingClientsGetEveryDeliveryCompressedOnTheWire() throws Exception {
        // 400-byte payloads: a message frame of about 750 bytes in JSON, far above the 256-byte threshold.
        LoadReport report = run(dir.resolve("facts-deflate"),
                "--url", cluster.webSocketUri(0) + "," + cluster.webSocketUri(1),
                "--subprotocol", "JSON", "--compression", "--payload-bytes", "400",
                "--workload", "fanout",
                "--rooms", Integer.toString(ROOMS), "--members", Integer.toString(MEMBERS), "--rate", "60",
                "--warmup", "PT1S", "--duration", "PT2S", "--drain-timeout", "PT20S");
        StepFigures fanout = report.targets().getFirst().steps().getFirst();
        assertThat(fanout.subprotocol()).isEqualTo("switchboard.v1.json deflate");
        assertThat(fanout.sent()).isEqualTo(120);
        assertThat(fanout.acked()).isEqualTo(fanout.sent());
        assertThat(fanout.delivered()).isEqualTo(fanout.sent() * MEMBERS);
        assertThat(fanout.lost()).isZero();
        assertThat(fanout.duplicates()).isZero();
        assertThat(fanout.errors()).as("errors: " + fanout.firstError()).isZero();
        assertThat(fanout.drops()).isZero();
        // The payload alone is 536 bytes of base64: what arrived per delivery was compressed.
        assertThat(fanout.wireBytesPerDelivery()).isLessThan(400);
    }

    @Test
    void idleWithABaseHoldsBothAndMeasuresAboveTheBase() throws Exception {
        Path out = dir.resolve("idle");
        LoadReport report = run(out, "--url", cluster.webSocketUri(0).toString(),
                "--workload", "idle", "--idle-base", "20", "--connections", "30", "--hold", "PT1S");
        IdleFigures idle = report.targets().getFirst().idle().getFirst();
        assertThat(idle.baseConnected()).isEqualTo(20);
        assertThat(idle.connected()).isEqualTo(30);
        assertThat(idle.failed()).isZero();
        assertThat(idle.drops()).isZero();
        assertThat(idle.rssBaseMiB()).isPositive();
        assertThat(idle.rssSlopeKiB()).isNotNaN();
        assertThat(idle.generatorCpuMicrosPerConnect()).isNotNaN().isNotNegative();
        assertThat(Files.readString(out.resolveSibling(out.getFileName() + ".md")))
                .contains("KiB/connection above base", "| platform | json | 30 | 30 | 0 |");
    }

    @Test
    void aTargetWhoseProcessesAreNotHereIsMeasuredWithoutServerFigures() {
        // Gateways on another host: no process to read, so the server's columns are empty rather than zero.
        assertThat(LoadMain.listeners(List.of(URI.create("ws://10.0.0.7:8080/ws")))).isEmpty();
        CommandLine line = LoadMain.commandLine();
        line.parseArgs("--workload", "fanout", "--rooms", "2", "--members", "2", "--rate", "20", "--warmup", "PT1S",
                "--duration", "PT1S", "--processes", "1", "--worker-warm-up", "0", "--secret", SECRET,
                "--out", dir.resolve("remote").toString());
        LoadMain main = line.getCommand();
        LoadReport report = LoadMain.run(main.settings, List.of(new Target("remote",
                List.of(cluster.webSocketUri(0)), List.of())), "test", System.out);

        StepFigures fanout = report.targets().getFirst().steps().getFirst();
        assertThat(fanout.delivered()).isEqualTo(fanout.expected()).isEqualTo(fanout.sent() * 2);
        assertThat(fanout.errors()).as("errors: " + fanout.firstError()).isZero();
        assertThat(fanout.serverCpuMicrosPerDelivery()).isNaN();
        assertThat(fanout.serverCpuMicrosPerPublish()).isNaN();
        assertThat(fanout.serverCores()).isNaN();
        assertThat(fanout.serverRssMiB()).isNaN();
        assertThat(fanout.generatorCores()).isPositive();
    }

    @Test
    void tokensSignedWithAnotherSecretStopTheRunSayingWhichSecretTheGatewayNeeds() {
        // What a first run against `./switchboard run` (a random secret) meets: every client closed 3500.
        Exception failure = CommandRuns.failure("--url", cluster.webSocketUri(0).toString(), "--workload", "fanout",
                "--rooms", "1", "--members", "2", "--rate", "10", "--warmup", "PT1S", "--duration", "PT1S",
                "--processes", "1", "--worker-warm-up", "0",
                "--server-pid", Long.toString(ProcessHandle.current().pid()),
                "--out", dir.resolve("wrong-secret").toString());
        assertThat(failure).isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("(?s)(\\d+) of \\1 clients failed to connect: .*")
                .hasMessageContaining("closed by the server: 3500 bad signature")
                .hasMessageContaining("signed with --secret, default " + LoadSettings.DEFAULT_SECRET)
                .hasMessageContaining("GATEWAY_AUTH_HS256_dash_SECRET=SECRET ./switchboard run");
    }

    /** Runs the generator with {@code args} and the options every run here shares; returns its report. */
    private LoadReport run(Path out, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server-pid", Long.toString(ProcessHandle.current().pid()), "--name", "platform",
                "--processes", "2", "--source-addresses", "4", "--secret", SECRET, "--out", out.toString(),
                // A small warm-up: its count is checked in each worker all the same.
                "--worker-warm-up", "2000"));
        CommandRuns.succeed(all.toArray(String[]::new));
        return new ObjectMapper().readValue(out.resolveSibling(out.getFileName() + ".json").toFile(),
                LoadReport.class);
    }
}
