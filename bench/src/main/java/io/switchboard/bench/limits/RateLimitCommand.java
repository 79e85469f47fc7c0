package io.switchboard.bench.limits;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.bucket4j.TimeMeter;
import io.switchboard.bench.BenchCommand;
import io.switchboard.bench.MarkdownResultFile;
import io.switchboard.gateway.limits.FrameRateLimiter;
import io.switchboard.gateway.limits.LimitKeys;
import io.switchboard.service.config.Values;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code rate-limit} subcommand: the frame rate limiter's cost per frame ({@link RateLimiterBenchmark}, JMH,
 * beside its empty baseline) and the cut-off figures ({@link CutOff}) at the default limits, written as Markdown.
 * Not thread-safe.
 */
@Command(name = "rate-limit", mixinStandardHelpOptions = true,
        description = "Cost per frame of the gateway's per-connection rate limiter (JMH, beside an empty baseline)"
                + " and how many frames an abusive client gets through before RATE_LIMITED and before close 3004.")
public final class RateLimitCommand extends BenchCommand {
    @Option(names = "--send-rates", split = ",", defaultValue = "1500,2000,5000,20000",
            description = "Constant send rates of the abusive client, frames/s (default: ${DEFAULT-VALUE}).")
    List<Long> sendRates;

    @Option(names = "--frame-bytes", defaultValue = "200", description = "Frame size (default: ${DEFAULT-VALUE}).")
    int frameBytes;

    @Option(names = "--skip-jmh", description = "Only the cut-off figures.")
    boolean skipJmh;

    @Mixin
    MarkdownResultFile out;

    @Override
    protected boolean run() throws Exception {
        Values d = Values.DEFAULTS;
        FrameRateLimiter.Settings defaults = new FrameRateLimiter.Settings(d.get(LimitKeys.MESSAGES_PER_SECOND),
                d.get(LimitKeys.MESSAGE_BURST), d.get(LimitKeys.BYTES_PER_SECOND), d.get(LimitKeys.BYTE_BURST),
                d.get(LimitKeys.RATE_LIMITED_BEFORE_CLOSE), TimeMeter.SYSTEM_NANOTIME);
        List<String> md = new ArrayList<>();
        md.add("Cut-off at the default limits (" + defaults.messagesPerSecond() + " frames/s, burst "
                + defaults.messageBurst() + ", close after " + defaults.refusalsBeforeClose() + " refusals per 10 s),"
                + " " + frameBytes + "-byte frames, simulated clock:");
        md.add("");
        md.add("| send rate (frames/s) | accepted before the first RATE_LIMITED | sent before close 3004 |"
                + " accepted before close | time to close |");
        md.add("|---|---|---|---|---|");
        for (long rate : sendRates) {
            CutOff.Figures f = CutOff.measure(defaults, rate, frameBytes, 10_000_000L);
            md.add(String.format(Locale.ROOT, "| %d | %d | %s | %d | %s |", rate, f.acceptedBeforeRefusal(),
                    f.sentBeforeClose() < 0 ? "never" : Long.toString(f.sentBeforeClose()), f.acceptedBeforeClose(),
                    f.sentBeforeClose() < 0 ? "-" : String.format(Locale.ROOT, "%.2f s",
                            f.timeToClose().toNanos() / 1e9)));
        }
        if (!skipJmh) {
            md.add("");
            md.add("Cost per frame (JMH, average time, one thread):");
            md.add("");
            md.add("| benchmark | ns/frame | error (99.9 %) |");
            md.add("|---|---|---|");
            for (RunResult r : new Runner(new OptionsBuilder()
                    .include(RateLimiterBenchmark.class.getName())
                    .param("frameBytes", Integer.toString(frameBytes))
                    .build()).run()) {
                String name = r.getParams().getBenchmark();
                md.add(String.format(Locale.ROOT, "| %s | %.1f | %.1f |", name.substring(name.lastIndexOf('.') + 1),
                        r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()));
            }
        }
        PrintStream console = System.out;
        md.forEach(console::println);
        Files.createDirectories(out.path().toAbsolutePath().getParent());
        Files.write(out.path(), md);
        return true;
    }
}
