package io.switchboard.kafka.embedded;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One single-node {@link EmbeddedKafka} broker for a JUnit test class: started before the class's first test (and
 * before its {@code @BeforeAll} methods), closed after its last (after its {@code @AfterAll} methods), also when a
 * test fails. Register it on a static field:
 *
 * <pre>
 * &#64;RegisterExtension
 * static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
 * </pre>
 *
 * Needs {@code junit-jupiter-api}, an optional dependency of this module that every test class path has. Not
 * thread-safe: JUnit calls it from one thread.
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback {
    private EmbeddedKafka kafka;

    @Override
    public void beforeAll(ExtensionContext context) {
        EmbeddedKafka started = EmbeddedKafka.builder().nodes(1).build();
        kafka = started;
        started.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The broker; valid between the class's first and last test. */
    public EmbeddedKafka kafka() {
        if (kafka == null) {
            throw new IllegalStateException("the broker starts before the test class's first test");
        }
        return kafka;
    }

    /** The running broker's {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return kafka().bootstrapServers();
    }
}
