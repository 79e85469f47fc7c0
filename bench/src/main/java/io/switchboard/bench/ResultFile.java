package io.switchboard.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** How every benchmark hands over its results: the table on the log, the report in a file. Stateless. */
public final class ResultFile {
    private ResultFile() {
    }

    /** A Markdown report: a title, the paragraph on the workload and the machine, then the table. */
    public static String markdown(String title, String description, String table) {
        return "# " + title + "\n\n" + description + "\n\n" + table;
    }

    /**
     * A Markdown table: {@code head} (its header and alignment rows, each ending in a newline), then one row per
     * result, {@code pattern} (ending in {@code %n}) formatted in the root locale with the values {@code row} picks.
     */
    public static <R> String table(String head, List<R> results, String pattern, Function<R, Object[]> row) {
        StringBuilder out = new StringBuilder(head);
        for (R r : results) {
            out.append(String.format(Locale.ROOT, pattern, row.apply(r)));
        }
        return out.toString();
    }

    /** Prints {@code table} to {@code log}, then writes {@code report} to {@code out}, creating its folder. */
    public static void publish(String table, Path out, String report, PrintStream log) throws IOException {
        log.println();
        log.print(table);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(out, report);
        log.println("written to " + out);
    }
}
