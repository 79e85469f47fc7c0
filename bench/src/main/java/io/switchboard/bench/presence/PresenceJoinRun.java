package io.switchboard.bench.presence;

import com.google.protobuf.Timestamp;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.client.v1.ServerFrame;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * One presence join on a started {@link LocalCluster} with the presence service, its clients split over
 * {@link PresenceJoinSpec#clientProcesses()} child JVMs ({@link ClientProcess}, {@link PresenceClients}): waits
 * until every child has connected its share (not measured), tells them all to JOIN, waits until each says its
 * clients are consistent (or gave up), keeps counting for the settle time, then collects every client's figures
 * and aggregates them. The first join is the earliest child's release ({@code System.nanoTime()} is
 * {@code CLOCK_MONOTONIC} on Linux, the same clock in every process). Every child is ended before
 * {@link #run()} returns or throws. Not thread-safe: one run per instance.
 */
final class PresenceJoinRun {
    // A child JVM starts in a few seconds even on a busy machine; the rest is the clients' connect timeout.
    private static final Duration READY_WAIT = ClientGroup.CONNECT_TIMEOUT.plusMinutes(1);
    private static final Duration JOINED_WAIT = Duration.ofSeconds(60);
    private static final Duration VERDICT_MARGIN = Duration.ofSeconds(60);
    private static final Duration REPORT_WAIT = Duration.ofSeconds(60);
    private static final int KEPT_PROBLEMS = 5;

    private final LocalCluster cluster;
    private final PresenceJoinSpec spec;
    private final PrintStream log;

    PresenceJoinRun(LocalCluster cluster, PresenceJoinSpec spec, PrintStream log) {
        this.cluster = cluster;
        this.spec = spec;
        this.log = log;
    }

    PresenceJoinResult run() {
        List<URI> gateways = new ArrayList<>();
        for (int g = 0; g < spec.gateways(); g++) {
            gateways.add(cluster.webSocketUri(g));
        }
        List<ClientProcess> children = new ArrayList<>();
        try {
            long t = System.nanoTime();
            for (int p = 0; p < spec.clientProcesses(); p++) {
                int first = spec.firstClientOf(p);
                ClientShare share = new ClientShare(first, spec.firstClientOf(p + 1) - first, spec.clients(),
                        spec.consistencyTimeout(), gateways);
                children.add(ClientProcess.start("presence-clients-" + p, share));
            }
            long readyDeadline = t + READY_WAIT.toNanos();
            long clientHeapMiB = 0;
            for (ClientProcess child : children) {
                String[] ready = ClientProcess.fields(child.await(remaining(readyDeadline), PresenceClients.READY));
                clientHeapMiB += Long.parseLong(ready[1]);
            }
            double connectMs = millisSince(t);
            System.gc(); // outside the measured window: only to report the live heap with every client connected
            Runtime rt = Runtime.getRuntime();
            long serverHeapMiB = (rt.totalMemory() - rt.freeMemory()) >> 20;
            long fds = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.UnixOperatingSystemMXBean os ? os.getOpenFileDescriptorCount() : -1;
            log.printf(Locale.ROOT, "  %d clients in %d child JVM(s) connected in %.1f s (including JVM start);"
                            + " heap in use: servers %d MiB, clients %d MiB; %d open files here; joining%n",
                    spec.clients(), children.size(), connectMs / 1000, serverHeapMiB, clientHeapMiB, fds);

            children.forEach(child -> child.send(PresenceClients.JOIN));
            long t0 = Long.MAX_VALUE;
            for (ClientProcess child : children) {
                t0 = Math.min(t0, Long.parseLong(ClientProcess.fields(child.await(JOINED_WAIT,
                        PresenceClients.JOINED))[0]));
            }
            long verdictDeadline = t0 + spec.consistencyTimeout().plus(VERDICT_MARGIN).toNanos();
            for (ClientProcess child : children) {
                String verdict = child.await(remaining(verdictDeadline), PresenceClients.CONSISTENT,
                        PresenceClients.WAITED);
                if (verdict.startsWith(PresenceClients.WAITED)) {
                    log.printf("  %s: %s client(s) never saw %d users%n", child.name(),
                            ClientProcess.fields(verdict)[0], spec.clients());
                }
            }
            // Late events still count as traffic: keep counting for the settle time.
            LockSupport.parkNanos(spec.settle().toNanos());
            children.forEach(child -> child.send(PresenceClients.REPORT));
            List<ClientReport> reports = new ArrayList<>(spec.clients());
            for (ClientProcess child : children) {
                reports.addAll(child.awaitReports(REPORT_WAIT));
            }
            if (reports.size() != spec.clients()) {
                throw new IllegalStateException("children reported " + reports.size() + " clients (expected: "
                        + spec.clients() + ")");
            }
            return result(reports, t0, connectMs, serverHeapMiB, clientHeapMiB);
        } finally {
            // In parallel would be faster, but each close is bounded and they exit at once on EXIT.
            children.forEach(ClientProcess::close);
        }
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    private PresenceJoinResult result(List<ClientReport> reports, long t0, double connectMs, long serverHeapMiB,
                                      long clientHeapMiB) {
        long lastSubscribed = t0;
        long lastConsistent = t0;
        int byEvent = 0;
        int byPage = 0;
        int inconsistent = 0;
        int errors = 0;
        long framesMax = 0;
        long bytesMax = 0;
        long frames = 0;
        long bytes = 0;
        long summaries = 0;
        List<String> problems = new ArrayList<>();
        for (ClientReport r : reports) {
            lastSubscribed = Math.max(lastSubscribed, r.subscribedAtNanos());
            if (r.consistent()) {
                lastConsistent = Math.max(lastConsistent, r.consistentAtNanos());
                if (r.viaPage()) {
                    byPage++;
                } else {
                    byEvent++;
                }
            } else {
                inconsistent++;
                if (problems.size() < KEPT_PROBLEMS) {
                    problems.add("latest users " + r.latestUsers() + " (expected " + spec.clients() + ")");
                }
            }
            if (r.error() != null) {
                errors++;
                if (problems.size() < KEPT_PROBLEMS) {
                    problems.add(r.error());
                }
            }
            frames += r.frames();
            bytes += r.bytes();
            summaries += r.summaries();
            framesMax = Math.max(framesMax, r.frames());
            bytesMax = Math.max(bytesMax, r.bytes());
        }
        int n = reports.size();
        return new PresenceJoinResult(spec.clients(), spec.gateways(), spec.clientProcesses(), connectMs,
                serverHeapMiB, clientHeapMiB, (lastSubscribed - t0) / 1e6,
                inconsistent == 0 ? (lastConsistent - t0) / 1e6 : Double.NaN, byEvent, byPage, inconsistent,
                (double) frames / n, framesMax, (double) bytes / n, bytesMax, frames, summaries,
                naiveEventBytes(spec.clients()), errors, problems);
    }

    /** One join as a naive design would announce it: the joined member, the counts and a timestamp. */
    static int naiveEventBytes(int clients) {
        return ServerFrame.newBuilder().setPresence(PresenceEvent.newBuilder().setRoom(PresenceJoinSpec.ROOM)
                .addJoined(Member.newBuilder().setUserId("presence-user-" + (clients - 1))
                        .setStatus(PresenceStatus.ONLINE).setDevices(1))
                .setUsers(clients).setConnections(clients).setJoinedTotal(1)
                .setTimestamp(Timestamp.newBuilder().setSeconds(1_800_000_000L).setNanos(123_456_789))).build()
                .getSerializedSize();
    }

    private static double millisSince(long t) {
        return (System.nanoTime() - t) / 1e6;
    }
}
