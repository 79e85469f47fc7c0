package io.switchboard.presence;

import static io.switchboard.service.ConfigValues.duration;
import static io.switchboard.service.ConfigValues.integer;
import static io.switchboard.service.ConfigValues.leaves;
import static io.switchboard.service.ConfigValues.string;

import io.helidon.config.Config;
import io.switchboard.service.UnknownKeys;
import java.util.List;
import java.util.Set;

/** Maps Helidon {@link Config} onto {@link PresenceConfig.Builder}: the one place that knows the key names. Stateless. */
final class PresenceConfigReader {
    private static final System.Logger LOG = System.getLogger(PresenceConfig.class.getName());

    /** Every key under {@code presence}, relative to it; anything else there is reported as unknown. */
    static final Set<String> PRESENCE_KEYS = Set.of("id", "grpc.port", "metrics.port", "lease-ttl", "delta-interval",
            "leave-grace", "large-room-threshold", "max-delta-members", "max-message-bytes", "startup-timeout",
            "shutdown-grace");

    private PresenceConfigReader() {
    }

    static PresenceConfig read(Config root) {
        Config presence = root.get("presence");
        Config kafka = root.get("kafka");
        UnknownKeys.warn(LOG, unknownKeys(root));

        PresenceConfig.Builder b = PresenceConfig.builder();
        string(presence, "id").ifPresent(b::id);
        integer(presence, "grpc.port").ifPresent(b::grpcPort);
        integer(presence, "metrics.port").ifPresent(b::metricsPort);
        duration(presence, "lease-ttl").ifPresent(b::leaseTtl);
        duration(presence, "delta-interval").ifPresent(b::deltaInterval);
        duration(presence, "leave-grace").ifPresent(b::leaveGrace);
        integer(presence, "large-room-threshold").ifPresent(b::largeRoomThreshold);
        integer(presence, "max-delta-members").ifPresent(b::maxDeltaMembers);
        integer(presence, "max-message-bytes").ifPresent(b::maxMessageBytes);
        duration(presence, "startup-timeout").ifPresent(b::startupTimeout);
        duration(presence, "shutdown-grace").ifPresent(b::shutdownGrace);

        string(kafka, "bootstrap-servers").ifPresent(b::bootstrapServers);
        b.topicSettings().read(kafka);
        leaves(kafka.get("producer")).forEach(b::producerProperty);
        return b.build();
    }

    /** Full keys of the values under {@code presence} that the service does not know. */
    static List<String> unknownKeys(Config root) {
        return UnknownKeys.find(root, "presence", PRESENCE_KEYS::contains);
    }
}
