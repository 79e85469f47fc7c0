package io.switchboard.service.tls;

import static io.switchboard.service.config.ValueType.PATH;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.config.Rule;
import io.switchboard.service.config.Settings;
import io.switchboard.service.config.ValueType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The server side of a tier's gRPC TLS under a prefix ({@code router.grpc.tls}, {@code presence.grpc.tls},
 * {@code history.grpc.tls}): the tier's certificate chain and key, the CA bundle client certificates are verified
 * against and whether a client certificate is required. TLS is on when {@code certificate} is set. Immutable,
 * hence thread-safe.
 */
public final class ServerTlsKeys {
    /** {@code client-auth} values. */
    public static final String NONE = "none";
    public static final String OPTIONAL = "optional";
    public static final String REQUIRE = "require";

    private final String prefix;
    public final Key<Path> certificate;
    public final Key<Path> privateKey;
    public final Key<Path> trustCertificates;
    public final Key<String> clientAuth;

    private ServerTlsKeys(KeySection.Builder s, String prefix, String internal) {
        this.prefix = prefix;
        String p = prefix + ".";
        certificate = s.define(p + "certificate", PATH).check(TlsFiles.READABLE)
                .unsetMeans("unset (plaintext gRPC)")
                .doc("PEM certificate chain (leaf first) of the gRPC port. Set, the port speaks TLS only; with"
                        + " `private-key`. Callers verify it against their `*.grpc-client.tls.trust-certificates`:"
                        + " its subject alternative names must cover the host names they dial. See"
                        + " [tls.md](tls.md#mutual-tls-between-tiers).");
        privateKey = s.define(p + "private-key", PATH).check(TlsFiles.READABLE)
                .doc("PEM private key of `certificate`: unencrypted PKCS#8 (`BEGIN PRIVATE KEY`), RSA or EC. Keep it"
                        + " readable by the service only.");
        trustCertificates = s.define(p + "trust-certificates", PATH).check(TlsFiles.READABLE)
                .doc("PEM bundle of the CA certificates that client certificates must chain to. Required unless"
                        + " `client-auth` is `none`.");
        clientAuth = s.define(p + "client-auth", ValueType.oneOf(NONE, OPTIONAL, REQUIRE))
                .byDefault(REQUIRE)
                .doc("Client certificates, with TLS on: `require` refuses the TLS handshake of a caller without a"
                        + " certificate chaining to `trust-certificates`; `optional` lets such callers connect, but "
                        + internal + " still answer them `UNAUTHENTICATED \"client certificate required\"` (only"
                        + " gRPC health, reflection and public services answer); `none` asks for no certificate and"
                        + " lets any caller in (TLS for privacy only).");
    }

    /**
     * Defines the keys under {@code prefix} in {@code section}.
     *
     * @param internal the tier's internal services as the docs name them ({@code RouterService})
     */
    public static ServerTlsKeys define(KeySection.Builder section, String prefix, String internal) {
        return new ServerTlsKeys(section, prefix, internal);
    }

    /** The prefix, e.g. {@code router.grpc.tls}. */
    public String prefix() {
        return prefix;
    }

    /** certificate and private-key come together; trust-certificates whenever client certificates are asked for. */
    public List<Rule> rules() {
        return List.of(
                Rule.of(privateKey, s -> s.find(certificate).isPresent() == s.find(privateKey).isPresent(),
                        s -> "set together with " + certificate.name()),
                Rule.of(trustCertificates, s -> s.find(certificate).isEmpty() || s.get(clientAuth).equals(NONE)
                                || s.find(trustCertificates).isPresent(),
                        s -> "a CA bundle when " + clientAuth.name() + " is " + s.get(clientAuth)));
    }

    /**
     * The server's TLS, or {@link ServerTls#plaintext()} when {@code certificate} is unset.
     *
     * @param publicServices services that callers without a client certificate may call when {@code client-auth}
     *                       is {@code optional} (fully qualified names; health and reflection always may)
     * @throws IllegalArgumentException naming the key when a file is unreadable
     */
    public ServerTls read(Settings s, Set<String> publicServices) {
        if (s.find(certificate).isEmpty()) {
            return ServerTls.plaintext();
        }
        String mode = s.get(clientAuth);
        try {
            TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder()
                    .keyManager(TlsFiles.readable(s, certificate), TlsFiles.readable(s, privateKey));
            if (!mode.equals(NONE)) {
                builder.trustManager(TlsFiles.readable(s, trustCertificates))
                        .clientAuth(mode.equals(REQUIRE) ? TlsServerCredentials.ClientAuth.REQUIRE
                                : TlsServerCredentials.ClientAuth.OPTIONAL);
            }
            ServerCredentials credentials = builder.build();
            return ServerTls.of(credentials, !mode.equals(NONE), publicServices,
                    "TLS, client certificates " + (mode.equals(NONE) ? "not asked for" : mode.equals(REQUIRE)
                            ? "required" : "required for internal services"));
        } catch (IOException e) {
            throw TlsFiles.unusable(prefix + ".*", e);
        }
    }
}
