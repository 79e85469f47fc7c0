package io.switchboard.bench.presence;

import java.util.List;

/**
 * The figures of one presence-join run. Times are milliseconds after the first join (the first Subscribe
 * sent); {@code consistentMs} is NaN when some client never saw the full count. Traffic counts PresenceEvent
 * frames only, bytes are WebSocket payload bytes (the encoded ServerFrame). Immutable.
 *
 * @param clients               clients, each its own user, all subscribed to one room
 * @param gateways              gateways they were spread over
 * @param clientProcesses       child JVMs holding the clients
 * @param connectMs             starting the child JVMs, opening and authenticating every connection (before the
 *                              joins, not measured)
 * @param serverHeapMiB         heap in use in the benchmark JVM (servers, broker) after a collection with every
 *                              client connected
 * @param clientHeapMiB         heap in use in the child JVMs together, likewise
 * @param allSubscribedMs       until the last Subscribed arrived
 * @param consistentMs          until every client's latest count said {@code users == clients}
 * @param consistentByEvent     clients whose latest PresenceEvent said so
 * @param consistentByPage      clients that needed a PresenceQuery page to see it (no later event reached them)
 * @param inconsistent          clients that never saw the full count
 * @param framesMean            PresenceEvent frames per client, mean
 * @param framesMax             PresenceEvent frames per client, max
 * @param bytesMean             PresenceEvent bytes per client, mean
 * @param bytesMax              PresenceEvent bytes per client, max
 * @param totalFrames           PresenceEvent frames, all clients
 * @param summaryFrames         of which summaries (counts only)
 * @param naiveEventBytes       size of one single-join PresenceEvent frame: what a naive design sends per join
 * @param errors                clients that got an Error frame or were closed
 * @param problems              a few of those errors, for the log
 */
public record PresenceJoinResult(int clients, int gateways, int clientProcesses, double connectMs,
                                 long serverHeapMiB, long clientHeapMiB,
                                 double allSubscribedMs, double consistentMs, int consistentByEvent,
                                 int consistentByPage, int inconsistent, double framesMean, long framesMax,
                                 double bytesMean, long bytesMax, long totalFrames, long summaryFrames,
                                 int naiveEventBytes, int errors, List<String> problems) {
    public PresenceJoinResult {
        problems = List.copyOf(problems);
    }

    /** Frames per client in a naive design: one event per join, every member told of every join. */
    public long naiveFramesPerClient() {
        return clients;
    }

    /** Frames in total in a naive design: N clients times N joins. */
    public long naiveTotalFrames() {
        return (long) clients * clients;
    }

    /** Bytes per client in a naive design. */
    public long naiveBytesPerClient() {
        return (long) clients * naiveEventBytes;
    }
}
