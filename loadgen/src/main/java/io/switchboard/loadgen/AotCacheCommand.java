package io.switchboard.loadgen;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./switchboard load aot-cache}: trains the platform's AOT cache ({@link AotCache}) for the jar just built,
 * for deployments that start it with {@code java -XX:AOTCache=FILE -jar switchboard-launcher.jar} and for
 * {@code load compare --aot-cache FILE}.
 */
@Command(name = "aot-cache", mixinStandardHelpOptions = true,
        description = "Train the platform's AOT cache (Java 25+): start it, drive it with the generator, stop it.")
final class AotCacheCommand implements Callable<Integer> {
    @Option(names = "--output", defaultValue = "launcher/target/switchboard.aot",
            description = "the cache file (default: ${DEFAULT-VALUE})")
    Path output;

    @Mixin
    PlatformOptions platform;

    @Mixin
    LoadSettings settings;

    @Override
    public Integer call() {
        AotCache.train(platform, settings, output, System.out);
        return 0;
    }
}
