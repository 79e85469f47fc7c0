package io.switchboard.service.config;

import java.util.Map;
import java.util.Objects;

/**
 * A section of client properties passed to a library verbatim, such as {@code kafka.producer.*}: any property
 * except those the tier owns ({@code refused}, each with the reason the message gives) and with the rules
 * {@code limited} puts on some. Immutable, hence thread-safe.
 *
 * @param section the section's key, e.g. {@code kafka.producer}
 * @param refused property → why it may not be set, e.g. {@code acks} → {@code the router requires acks=all}
 * @param limited property → the rule its value follows
 * @param doc     the section's description in the key tables
 */
public record Passthrough(String section, Map<String, String> refused, Map<String, Check<String>> limited,
                          String doc) {
    public Passthrough {
        Objects.requireNonNull(section, "section");
        refused = Map.copyOf(refused);
        limited = Map.copyOf(limited);
        Objects.requireNonNull(doc, "doc");
    }

    /**
     * Returns {@code value} when {@code property} may be set to it.
     *
     * @throws IllegalArgumentException {@code "<section>.<property>: '<value>' (expected: not set: <reason>)"}
     */
    public String validate(String property, String value) {
        Objects.requireNonNull(property, "property");
        Objects.requireNonNull(value, section + "." + property);
        String key = section + "." + property;
        String reason = refused.get(property);
        if (reason != null) {
            throw new IllegalArgumentException(key + ": '" + value + "' (expected: not set: " + reason + ")");
        }
        Check<String> check = limited.get(property);
        if (check != null && !check.test(value.strip())) {
            throw new IllegalArgumentException(check.message(key, value));
        }
        return value;
    }

    /** The environment variable of one property: {@code KAFKA_PRODUCER_<PROPERTY>}. */
    public String environmentVariable() {
        return Key.environmentVariable(section) + "_<PROPERTY>";
    }
}
