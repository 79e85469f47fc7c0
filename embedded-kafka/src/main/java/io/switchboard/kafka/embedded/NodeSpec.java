package io.switchboard.kafka.embedded;

import java.nio.file.Path;

/**
 * Where one node lives: its id, its two ports and its directory. Fixed before the storage is formatted, so a
 * restarted node comes back on the same ports with the same data.
 *
 * @param id node.id, 1-based
 * @param host the loopback address every listener binds to
 * @param brokerPort the client (PLAINTEXT) listener port
 * @param controllerPort the KRaft controller listener port
 * @param directory the node's own directory: server.properties, the Kafka log dir and (child mode) node.log
 * @param sslPort the SSL client listener port, or 0 without one
 * @param saslPort the SASL_SSL client listener port, or 0 without one
 */
record NodeSpec(int id, String host, int brokerPort, int controllerPort, Path directory, int sslPort, int saslPort) {

    NodeSpec(int id, String host, int brokerPort, int controllerPort, Path directory) {
        this(id, host, brokerPort, controllerPort, directory, 0, 0);
    }

    /** "host:saslPort", as SCRAM clients use it. */
    String saslAddress() {
        return host + ":" + saslPort;
    }

    /** "host:sslPort", as TLS clients use it. */
    String sslAddress() {
        return host + ":" + sslPort;
    }

    /** "host:brokerPort", as clients use it. */
    String brokerAddress() {
        return host + ":" + brokerPort;
    }

    /** The generated broker configuration file. */
    Path propertiesFile() {
        return directory.resolve("server.properties");
    }

    /** Kafka's log.dirs (partition data and the metadata log). */
    Path logDirectory() {
        return directory.resolve("kafka-logs");
    }

    /** Child-process mode: the file the node's JVM writes its stdout and stderr to. */
    Path processLog() {
        return directory.resolve("node.log");
    }
}
