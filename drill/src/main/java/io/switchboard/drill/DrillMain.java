package io.switchboard.drill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.client.TrustedCertificates;
import io.switchboard.testkit.TestTokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
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
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new DrillMain())
                // A drill that cannot start (no steady state, cluster unreachable) is an outcome, not a crash:
                // one line with the causes instead of a stack trace; exit code 1 like a failed drill.
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    StringBuilder why = new StringBuilder("drill aborted: ").append(e.getMessage());
                    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                        why.append(" <- ").append(c);
                    }
                    cmd.getErr().println(why);
                    return 1;
                });
    }

    /** The signals a drill sends; "kill", "SIGKILL" and "KILL" all name {@link #KILL}. */
    enum Signal {
        KILL, TERM, STOP;

        static Signal parse(String text) {
            String name = text.strip().toUpperCase(Locale.ROOT);
            try {
                return valueOf(name.startsWith("SIG") ? name.substring(3) : name);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(text + " (expected: KILL, TERM or STOP)");
            }
        }
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
        @Option(names = "--report", description = "Writes <report>.json and <report>.md (default: "
                + "<java.io.tmpdir>/switchboard-drill-<scenario>-<time>)")
        Path report;
        @Option(names = "--ca-file", description = "PEM bundle of the CA that signed the certificate of a wss:// --url"
                + " (and of an https:// --gateway); default: the JDK's trust store")
        Path caFile;

        LoadDriver start() {
            TestTokens tokens = TestTokens.hs256(secret);
            String runId = UUID.randomUUID().toString().substring(0, 8);
            return LoadDriver.start(new LoadDriver.Settings(url,
                    user -> CompletableFuture.completedFuture(tokens.token(user, LoadDriver.ROOM_PATTERN)),
                    publishers, subscribers, rooms, interval, runId), Duration.ofSeconds(60), tls());
        }

        /** The TLS context of --ca-file, or null for the JDK's default. */
        SSLContext tls() {
            return caFile == null ? null : TrustedCertificates.fromPem(caFile);
        }

        /** An HttpClient for the gateways' admin endpoints, trusting --ca-file when given. */
        HttpClient adminClient() {
            HttpClient.Builder http = HttpClient.newBuilder();
            SSLContext tls = tls();
            if (tls != null) {
                http.sslContext(tls);
            }
            return http.build();
        }

        int finish(DrillResult result) {
            // Not the working directory by default: ./switchboard runs from the repository root.
            Path base = report != null ? report : Path.of(System.getProperty("java.io.tmpdir"), "switchboard-drill-"
                    + result.scenario() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            DrillReport report = new DrillReport().environment("load", publishers + " publishers, " + subscribers
                    + " subscribers, " + rooms + " rooms, one publish per publisher every " + interval + " after its ack");
            report.add(result);
            report.write(base);
            System.out.println(report.markdown());
            System.out.println("report: " + base.toAbsolutePath() + ".json / .md");
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
            try (HttpClient http = load.adminClient()) {
                checkServing(http);
                try (LoadDriver driver = load.start()) {
                    return load.finish(Drill.run("drain-gateway", driver, fault(http), load.timeouts()));
                }
            }
        }

        /** Fails before the load starts when the token is wrong, the endpoint is off or the gateway drained already. */
        private void checkServing(HttpClient http) {
            HttpResponse<String> response = send(http, request().GET().build());
            String problem = switch (response.statusCode()) {
                case 200 -> "serving".equals(drainState(response.body())) ? null
                        : "is not serving (" + response.body().strip() + "): restart it first (cluster.sh stop/start)";
                case 401 -> "refused --admin-token (401): use gateway.admin.token (cluster.sh drill-env prints it)";
                case 404 -> "has no admin endpoint (404): gateway.admin.token is not set";
                default -> "answered GET /admin/drain with " + response.statusCode() + ": " + response.body().strip();
            };
            if (problem != null) {
                throw new IllegalStateException("gateway " + gateway + " " + problem);
            }
        }

        /** The {@code state} of {@code GET /admin/drain}'s JSON, or null when the body is not that JSON. */
        private static String drainState(String body) {
            try {
                return new ObjectMapper().readTree(body).path("state").asText(null);
            } catch (JsonProcessingException e) {
                return null;
            }
        }

        private HttpRequest.Builder request() {
            return HttpRequest.newBuilder(gateway.resolve("/admin/drain"))
                    .header("Authorization", "Bearer " + adminToken).timeout(Duration.ofSeconds(10));
        }

        private HttpResponse<String> send(HttpClient http, HttpRequest request) {
            try {
                return http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new IllegalStateException("cannot reach " + gateway, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private Drill.Fault fault(HttpClient http) {
            return new Drill.Fault() {
                @Override
                public String inject() {
                    HttpResponse<String> response = send(http, request().POST(HttpRequest.BodyPublishers.noBody()).build());
                    if (response.statusCode() != 202) {
                        throw new IllegalStateException("POST /admin/drain answered " + response.statusCode() + ": " + response.body());
                    }
                    return "POST " + gateway + "/admin/drain (" + response.body().strip() + ")";
                }

                @Override
                public void heal() {
                    // Restarting the drained gateway is the operator's deploy step, not the drill's.
                }
            };
        }
    }

    @Command(name = "signal", mixinStandardHelpOptions = true,
            description = "Send a signal to one process (SIGKILL a router, SIGSTOP a gateway for a while...) while the load runs.")
    static final class SignalDrill implements Callable<Integer> {
        @Mixin
        LoadOptions load;
        @Option(names = "--pid", required = true, description = "The process to signal (cluster.sh status shows the pids)")
        long pid;
        @Option(names = "--name", defaultValue = "process", description = "What the pid is, for the report (e.g. router-1)")
        String name;
        @Option(names = "--signal", defaultValue = "KILL", converter = SignalConverter.class,
                description = "KILL, TERM or STOP (case-insensitive, SIG prefix allowed)")
        Signal signal;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--pause", defaultValue = "PT5S", description = "With STOP: how long before SIGCONT")
        Duration pause;

        @Override
        public Integer call() {
            // Fail before minutes of load, not at the fault: a wrong pid would make a drill without a fault.
            if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--pid: " + pid + " (expected: a running process)");
            }
            if (signal == Signal.STOP && (pause.isNegative() || pause.isZero())) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--pause: " + pause + " (expected: > 0)");
            }
            try (LoadDriver driver = load.start()) {
                DrillResult result = Drill.run(signal.name().toLowerCase(Locale.ROOT) + "-" + name, driver, new Drill.Fault() {
                    @Override
                    public String inject() {
                        send(signal.name());
                        if (signal == Signal.STOP) {
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

        static final class SignalConverter implements CommandLine.ITypeConverter<Signal> {
            @Override
            public Signal convert(String value) {
                return Signal.parse(value);
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
