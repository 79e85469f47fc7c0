package io.switchboard.kafka.embedded;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A SASL_SSL client listener: TLS with {@code tls}'s certificate, clients authenticated with SCRAM-SHA-512 as one of
 * {@code users} (name to password). The users' credentials are created through Kafka's Admin API once the cluster is
 * up, before {@link EmbeddedKafka#start()} returns, as an operator would with {@code kafka-configs.sh --alter
 * --add-config 'SCRAM-SHA-512=[password=...]'}. Immutable.
 *
 * @param tls   the listener's certificate and key; with a client CA bundle, clients also need a certificate
 * @param users SCRAM user names and their passwords; at least one
 */
public record ScramListener(SslListener tls, Map<String, String> users) {
    /** The one mechanism the listener enables. */
    public static final String MECHANISM = "SCRAM-SHA-512";

    public ScramListener {
        Objects.requireNonNull(tls, "tls");
        users = Map.copyOf(users);
        if (users.isEmpty()) {
            throw new IllegalArgumentException("users: none (expected: at least one SCRAM user)");
        }
    }

    /** The listener's broker properties, each key after {@code prefix} ({@code listener.name.sasl_ssl.}). */
    Map<String, String> properties(String prefix) {
        Map<String, String> props = new LinkedHashMap<>(tls.properties(prefix));
        props.put(prefix + "sasl.enabled.mechanisms", MECHANISM);
        // The broker side of SCRAM needs a login module; the credentials themselves are in the cluster's metadata.
        props.put(prefix + MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        return props;
    }

    /** The {@code sasl.jaas.config} value a client of {@code user} sets. */
    public static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }
}
