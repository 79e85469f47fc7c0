package io.switchboard.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --out} option of the benchmarks that write a Markdown report: {@code bench/target/<command>-results.md}
 * unless given. Filled by picocli, then read-only.
 */
public final class MarkdownResultFile {
    // The field's name is the option's parameter label in --help.
    @Option(names = "--out", defaultValue = "bench/target/${COMMAND-NAME}-results.md",
            description = "Result file, Markdown (default: ${DEFAULT-VALUE}).")
    Path out;

    /** Where the report goes. */
    public Path path() {
        return out;
    }
}
