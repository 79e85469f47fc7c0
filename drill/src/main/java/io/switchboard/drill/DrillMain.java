package io.switchboard.drill;

import io.switchboard.testkit.TestTokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code switchboard drill}: an SRE fault drill against a running cluster. It drives a steady SDK load through
 * the load balancer, injects one fault (drain a gateway through its admin endpoint, or signal a process),
 * measures recovery, checks that no acked message was lost or duplicated, and prints the report (exit code 1
 * when the drill failed).
 */
@Command(name = "drill", mixinStandardHelpOptions = true, subcommands = {DrillMain.DrainDrill.class, DrillMain.SignalDrill.class},
        description = "Fault drills against a running Switchboard cluster, with a loss and recovery report.")
public final class DrillMain {
    private DrillMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new DrillMain()).execute(args));
    }

    /** Options every drill shares: where the load goes and how big it is. */
    static final class LoadOptions {
        @Option(names = "--url", required = true, description = "WebSocket URL of the load balancer, e.g. ws://127.0.0.1:8088/ws")
        URI url;
        @Option(names = "--secret", required = true, description = "The gateways' HS256 secret, to mint the drill users' tokens")
        String secret;
        @Option(names = "--publishers", defaultValue = "50")
        int publishers;
        @Option(names = "--subscribers", defaultValue = "50")
        int subscribers;
        @Option(names = "--rooms", defaultValue = "10")
        int rooms;
        @Option(names = "--interval", defaultValue = "PT0.5S", description = "Pause between a publisher's ack and its next publish")
        Duration interval;
        @Option(names = "--recovery-timeout", defaultValue = "PT60S")
        Duration recoveryTimeout;
        @Option(names = "--report", defaultValue = "drill-report", description = "Writes <report>.json and <report>.md")
        Path report;

        LoadDriver start() {
            TestTokens tokens = TestTokens.hs256(secret);
            String runId = UUID.randomUUID().toString().substring(0, 8);
            return LoadDriver.start(new LoadDriver.Settings(url, user -> CompletableFuture.completedFuture(tokens.token(user)),
                    publishers, subscribers, rooms, interval, runId), Duration.ofSeconds(60));
        }

        int finish(DrillResult result) {
            DrillReport report = new DrillReport().environment("load", publishers + " publishers, " + subscribers
                    + " subscribers, " + rooms + " rooms, one publish per publisher every " + interval + " after its ack");
            report.add(result);
            report.write(this.report);
            System.out.println(report.markdown());
            System.out.println("report: " + this.report.toAbsolutePath() + ".json / .md");
            return result.passed() ? 0 : 1;
        }

        Drill.Timeouts timeouts() {
            Drill.Timeouts d = Drill.Timeouts.defaults();
            return new Drill.Timeouts(d.steady(), recoveryTimeout, d.after(), d.settle());
        }
    }

    @Command(name = "drain", mixinStandardHelpOptions = true,
            description = "Drain one gateway through POST /admin/drain while the load runs.")
    static final class DrainDrill implements Callable<Integer> {
        @Mixin
        LoadOptions load;
        @Option(names = "--gateway", required = true, description = "The gateway's HTTP base URL, e.g. http://127.0.0.1:8081")
        URI gateway;
        @Option(names = "--admin-token", required = true, description = "gateway.admin.token")
        String adminToken;

        @Override
        public Integer call() {
            try (LoadDriver driver = load.start(); HttpClient http = HttpClient.newHttpClient()) {
                DrillResult result = Drill.run("drain-gateway", driver, new Drill.Fault() {
                    @Override
                    public String inject() {
                        HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/admin/drain"))
                                .header("Authorization", "Bearer " + adminToken)
                                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build();
                        try {
                            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() != 202) {
                                throw new IllegalStateException("POST /admin/drain answered " + response.statusCode() + ": " + response.body());
                            }
                            return "POST " + gateway + "/admin/drain (" + response.body().strip() + ")";
                        } catch (IOException e) {
                            throw new IllegalStateException("cannot reach " + gateway, e);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                    }

                    @Override
                    public void heal() {
                        // Restarting the drained gateway is the operator's deploy step, not the drill's.
                    }
                }, load.timeouts());
                return load.finish(result);
            }
        }
    }

    @Command(name = "signal", mixinStandardHelpOptions = true,
            description = "Send a signal to one process (SIGKILL a router, SIGSTOP a gateway for a while...) while the load runs.")
    static final class SignalDrill implements Callable<Integer> {
        @Mixin
        LoadOptions load;
        @Option(names = "--pid", required = true)
        long pid;
        @Option(names = "--name", defaultValue = "process", description = "What the pid is, for the report (e.g. router-1)")
        String name;
        @Option(names = "--signal", defaultValue = "KILL", description = "KILL, TERM or STOP")
        String signal;
        @Option(names = "--pause", defaultValue = "PT5S", description = "With STOP: how long before SIGCONT")
        Duration pause;

        @Override
        public Integer call() {
            try (LoadDriver driver = load.start()) {
                DrillResult result = Drill.run(signal.toLowerCase() + "-" + name, driver, new Drill.Fault() {
                    @Override
                    public String inject() {
                        send(signal);
                        if (signal.equals("STOP")) {
                            try {
                                TimeUnit.MILLISECONDS.sleep(pause.toMillis()); // the length of the simulated freeze
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } finally {
                                send("CONT");
                            }
                            return "SIGSTOP " + name + " (pid " + pid + ") for " + pause;
                        }
                        return "SIG" + signal + " " + name + " (pid " + pid + ")";
                    }

                    @Override
                    public void heal() {
                        // Restarting a killed process is the cluster's (or the operator's) job.
                    }
                }, load.timeouts());
                return load.finish(result);
            }
        }

        private void send(String sig) {
            try {
                Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
                if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                    throw new IllegalStateException("kill -" + sig + " " + pid + " failed");
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot run kill", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
