package io.switchboard.kafka.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/**
 * Formats a node's KRaft storage in this JVM with {@code StorageTool.execute} ({@code StorageTool.main} would call
 * {@code System.exit}). Already formatted directories are left alone, so a persistent data directory survives a
 * restart; a cluster id found in any node's meta.properties is reused so that every node agrees on it.
 *
 * <p>Thread-safe (stateless).
 */
final class StorageFormatter {

    private StorageFormatter() {
    }

    /** The cluster id already on disk in any node's directory, or a new random one. */
    static String clusterId(List<NodeSpec> nodes) {
        for (NodeSpec node : nodes) {
            Optional<String> existing = existingClusterId(node);
            if (existing.isPresent()) {
                return existing.get();
            }
        }
        return Uuid.randomUuid().toString();
    }

    /** Formats {@code node}'s log dir for {@code clusterId}; its server.properties must already be written. */
    static void format(NodeSpec node, String clusterId) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream printer = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(new String[] {
                    "format",
                    "--cluster-id", clusterId,
                    "--config", node.propertiesFile().toAbsolutePath().toString(),
                    "--ignore-formatted"}, printer);
        } catch (RuntimeException e) {
            throw new IllegalStateException("formatting storage of node " + node.id() + " failed: "
                    + output.toString(StandardCharsets.UTF_8).strip(), e);
        }
        if (exitCode != 0) {
            throw new IllegalStateException("formatting storage of node " + node.id() + " exited with " + exitCode
                    + ": " + output.toString(StandardCharsets.UTF_8).strip());
        }
    }

    private static Optional<String> existingClusterId(NodeSpec node) {
        Path meta = node.logDirectory().resolve("meta.properties");
        if (!Files.isRegularFile(meta)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + meta, e);
        }
        return Optional.ofNullable(props.getProperty("cluster.id")).filter(id -> !id.isBlank());
    }
}
