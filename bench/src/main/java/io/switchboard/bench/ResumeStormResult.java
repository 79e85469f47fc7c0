package io.switchboard.bench;

import java.util.List;

/**
 * The figures of one resume storm. Times are from the moment every client was released to reconnect.
 *
 * @param target           which configuration ran
 * @param clients          resuming clients
 * @param missed           messages each client missed
 * @param live             clients that got Subscribed(recovered, replayed == missed) and every replayed message
 * @param allLiveMs        time until the last client was live (the slowest of those that became live)
 * @param p50Ms            median time to live
 * @param p99Ms            99th percentile time to live
 * @param resumeReads      gateway_history_reads_total{kind="resume"} added over every gateway during the storm
 * @param storeReads       switchboard_history_reads_total (every outcome) added during the storm
 * @param recovered        Subscribed frames with recovered=true
 * @param errors           Error frames, wrong replay counts, out-of-order or duplicate messages, failed connects
 * @param notRecovered     Subscribed frames with recovered=false
 * @param closes           connections the server closed during the storm
 * @param timedOut         clients not live within the timeout for another reason
 * @param problems         the first few problems seen, for the log
 */
public record ResumeStormResult(String target, int clients, int missed, int live, double allLiveMs, double p50Ms,
                                double p99Ms, long resumeReads, long storeReads, int recovered, int errors,
                                int notRecovered, int closes, int timedOut, List<String> problems) {
    public ResumeStormResult {
        problems = List.copyOf(problems);
    }

    /** Clients that did not become live, for whatever reason. */
    public int failures() {
        return clients - live;
    }
}
