package io.switchboard.loadgen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads processes' CPU time and resident memory from Linux's {@code /proc}, finds the process listening on a TCP
 * port, and reads the load average. Stateless, thread-safe.
 */
final class ProcStats {
    /** USER_HZ: the unit of utime and stime in /proc/PID/stat; 100 on every Linux this runs on. */
    private static final long TICKS_PER_SECOND = 100;

    /** One reading of a set of processes. */
    record Sample(long nanoTime, long cpuMicros, long rssBytes) {
        Sample minus(Sample earlier) {
            return new Sample(nanoTime - earlier.nanoTime, cpuMicros - earlier.cpuMicros, rssBytes - earlier.rssBytes);
        }
    }

    private ProcStats() {
    }

    /** CPU (user + system) and RSS summed over {@code pids}; a process that is gone counts as 0. */
    static Sample sample(List<Long> pids) {
        long cpu = 0;
        long rss = 0;
        for (long pid : pids) {
            cpu += cpuMicros(pid);
            rss += rssBytes(pid);
        }
        return new Sample(System.nanoTime(), cpu, rss);
    }

    static long cpuMicros(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        if (stat == null) {
            return 0;
        }
        // The command name (field 2) may hold spaces; fields after the closing parenthesis are plain.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
        return ticks * 1_000_000 / TICKS_PER_SECOND;
    }

    static long rssBytes(long pid) {
        String status = read(Path.of("/proc", Long.toString(pid), "status"));
        if (status == null) {
            return 0;
        }
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
            }
        }
        return 0;
    }

    /** The 1-minute load average. */
    static double loadAverage() {
        String text = read(Path.of("/proc/loadavg"));
        return text == null ? Double.NaN : Double.parseDouble(text.split(" ")[0]);
    }

    /** The pid of the process with a socket listening on TCP {@code port} (IPv4 or IPv6). */
    static long pidListeningOn(int port) {
        Set<String> inodes = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            String text = read(Path.of(table));
            if (text == null) {
                continue;
            }
            String hexPort = String.format(Locale.ROOT, ":%04X", port);
            for (String line : text.split("\n")) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st ... inode (field 10); 0A is LISTEN
                if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
                    inodes.add("socket:[" + f[9] + "]");
                }
            }
        }
        if (inodes.isEmpty()) {
            throw new IllegalStateException("no process listens on TCP port " + port);
        }
        List<Long> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                    for (Path fd : fds.toList()) {
                        try {
                            if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                                found.add(Long.parseLong(proc.getFileName().toString()));
                                break;
                            }
                        } catch (IOException e) {
                            // the descriptor closed meanwhile
                        }
                    }
                } catch (IOException | SecurityException e) {
                    // not ours to read, or gone
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("cannot see which process listens on TCP port " + port);
        }
        return found.getFirst();
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}
