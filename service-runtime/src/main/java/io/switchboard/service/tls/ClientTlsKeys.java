package io.switchboard.service.tls;

import static io.switchboard.service.config.ValueType.BOOLEAN;
import static io.switchboard.service.config.ValueType.PATH;
import static io.switchboard.service.config.ValueType.STRING;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.config.Rule;
import io.switchboard.service.config.Settings;
import io.switchboard.service.grpc.ReplicaChannels;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The client side of a tier's gRPC TLS under a prefix ({@code gateway.grpc-client.tls},
 * {@code router.grpc-client.tls}): whether the tier's channels to the other tiers use TLS, the CA bundle the
 * servers are verified against and the client certificate it presents. One setting for all of a tier's internal
 * channels. Immutable, hence thread-safe.
 */
public final class ClientTlsKeys {
    private final String prefix;
    public final Key<Boolean> enabled;
    public final Key<Path> trustCertificates;
    public final Key<Path> certificate;
    public final Key<Path> privateKey;
    public final Key<String> serverName;

    private ClientTlsKeys(KeySection.Builder s, String prefix, String channels) {
        this.prefix = prefix;
        String p = prefix + ".";
        enabled = s.define(p + "enabled", BOOLEAN).byDefault(false)
                .doc("TLS on the channels to " + channels + ". The servers' certificates are verified against"
                        + " `trust-certificates` and must name the dialled host in their subject alternative names."
                        + " See [tls.md](tls.md#mutual-tls-between-tiers).");
        trustCertificates = s.define(p + "trust-certificates", PATH).check(TlsFiles.READABLE)
                .unsetMeans("unset (the JVM's default trust store)")
                .doc("PEM bundle of the CA certificates the servers' certificates must chain to.");
        certificate = s.define(p + "certificate", PATH).check(TlsFiles.READABLE)
                .doc("PEM certificate chain (leaf first) presented as the client certificate, with `private-key`."
                        + " Required by servers whose `client-auth` is `require` (the default) or `optional`.");
        privateKey = s.define(p + "private-key", PATH).check(TlsFiles.READABLE)
                .doc("PEM private key of `certificate`: unencrypted PKCS#8, RSA or EC.");
        serverName = s.define(p + "server-name", STRING)
                .unsetMeans("unset (the dialled host)")
                .doc("The name the servers' certificates are checked for (and the calls' authority), instead of the"
                        + " dialled host: for servers reached by IP address, such as routers found through DNS"
                        + " discovery or pods behind a headless Service. One name for all of these channels, so every"
                        + " server certificate must carry it as a subject alternative name.");
    }

    /**
     * Defines the keys under {@code prefix} in {@code section}.
     *
     * @param channels what the channels lead to, for the docs ({@code the routers, presence and history})
     */
    public static ClientTlsKeys define(KeySection.Builder section, String prefix, String channels) {
        return new ClientTlsKeys(section, prefix, channels);
    }

    /** The prefix, e.g. {@code gateway.grpc-client.tls}. */
    public String prefix() {
        return prefix;
    }

    /** certificate and private-key come together. */
    public List<Rule> rules() {
        return List.of(Rule.of(privateKey, s -> s.find(certificate).isPresent() == s.find(privateKey).isPresent(),
                s -> "set together with " + certificate.name()));
    }

    /**
     * A channel builder to {@code host:port} with the credentials and, with TLS and {@code server-name}, that name as
     * the authority the server's certificate is verified for.
     */
    public ManagedChannelBuilder<?> channelBuilder(Settings s, String host, int port) {
        ManagedChannelBuilder<?> builder = Grpc.newChannelBuilderForAddress(host, port, credentials(s));
        authority(s).ifPresent(builder::overrideAuthority);
        return builder;
    }

    /** A channel builder to {@code target} ({@code host:port}), as {@link #channelBuilder(Settings, String, int)}. */
    public ManagedChannelBuilder<?> channelBuilder(Settings s, String target) {
        ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(target, credentials(s));
        authority(s).ifPresent(builder::overrideAuthority);
        return builder;
    }

    /**
     * A channel to the replicas of {@code service} ({@code host:port} each) with these credentials and authority,
     * balanced and retried as {@link ReplicaChannels} describes; {@code onRetry} counts retries.
     */
    public ManagedChannel replicaChannel(Settings s, List<String> replicas, String service, String userAgent,
                                         Runnable onRetry) {
        return ReplicaChannels.channel(replicas, service, credentials(s), builder -> {
            builder.userAgent(userAgent);
            authority(s).ifPresent(builder::overrideAuthority);
        }, onRetry);
    }

    private Optional<String> authority(Settings s) {
        return s.get(enabled) ? s.find(serverName) : Optional.empty();
    }

    /**
     * The credentials of the tier's internal channels: plaintext unless {@code enabled}.
     *
     * @throws IllegalArgumentException naming the key when a file is unreadable
     */
    public ChannelCredentials credentials(Settings s) {
        if (!s.get(enabled)) {
            return InsecureChannelCredentials.create();
        }
        try {
            TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
            if (s.find(trustCertificates).isPresent()) {
                builder.trustManager(TlsFiles.readable(s, trustCertificates));
            }
            if (s.find(certificate).isPresent()) {
                builder.keyManager(TlsFiles.readable(s, certificate), TlsFiles.readable(s, privateKey));
            }
            return builder.build();
        } catch (IOException e) {
            throw TlsFiles.unusable(prefix + ".*", e);
        }
    }
}
