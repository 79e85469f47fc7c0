package io.switchboard.kafka.embedded;

import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps Kafka's INFO chatter out of the output: sets the JUL loggers Kafka logs through (slf4j -> slf4j-jdk14 ->
 * java.util.logging) to WARNING, unless the system property {@value #LEVEL_PROPERTY} names another level or the
 * application's logging configuration already set a level for them.
 *
 * <p>JUL holds loggers weakly and forgets a level set on a collected logger, so an instance pins the loggers it
 * configured for as long as it is referenced. Thread-safe (immutable after construction).
 */
final class KafkaLogLevels {

    /** System property holding a JUL level name (e.g. {@code INFO}) for Kafka's own loggers. */
    static final String LEVEL_PROPERTY = "switchboard.embedded-kafka.log-level";

    private static final List<String> KAFKA_LOGGERS = List.of("kafka", "org.apache.kafka", "state.change.logger");

    private final List<Logger> pinned;

    private KafkaLogLevels(List<Logger> pinned) {
        this.pinned = pinned;
    }

    /** Applies the levels and returns the handle that keeps them in force. */
    static KafkaLogLevels apply() {
        String requested = System.getProperty(LEVEL_PROPERTY);
        Level explicit = requested == null || requested.isBlank() ? null : parse(requested);
        List<Logger> loggers = KAFKA_LOGGERS.stream().map(Logger::getLogger).toList();
        for (Logger logger : loggers) {
            if (explicit != null) {
                logger.setLevel(explicit);
            } else if (logger.getLevel() == null) {
                logger.setLevel(Level.WARNING);
            }
        }
        return new KafkaLogLevels(loggers);
    }

    /** The configured level name to hand on to child JVMs, if one was requested. */
    static String requestedLevel() {
        return System.getProperty(LEVEL_PROPERTY);
    }

    private static Level parse(String name) {
        try {
            return Level.parse(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    LEVEL_PROPERTY + ": " + name + " (expected: a java.util.logging level such as WARNING or INFO)", e);
        }
    }
}
