package io.switchboard.testkit.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.switchboard.devcerts.CertificateAuthority;
import io.switchboard.devcerts.DevCertificates;
import io.switchboard.devcerts.LeafSpec;
import io.switchboard.devcerts.PemFiles;
import io.switchboard.service.config.ConfigBuilder;
import io.switchboard.service.tls.ServerTlsKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Certificates for a mutual-TLS test and the callers that probe a tier's gRPC port with them: the tier's own
 * ({@link #server()}, also a valid client identity), a second leaf of the same authority ({@link #client()}) and a
 * leaf of another authority ({@link #stranger()}). {@link #channel} opens a channel as one {@link Caller}; close
 * the fixture to shut its channels down. Not thread-safe.
 */
public final class TlsFixture implements AutoCloseable {
    /** Who calls. */
    public enum Caller {
        /** TLS with a client certificate of the tier's authority. */
        CERTIFIED,
        /** TLS, trusting the tier's authority, without a client certificate. */
        NO_CERTIFICATE,
        /** TLS, trusting the tier's authority, with a client certificate of another authority. */
        OTHER_AUTHORITY,
        /** No TLS at all. */
        PLAINTEXT
    }

    private final PemFiles server;
    private final PemFiles client;
    private final PemFiles stranger;
    private final List<ManagedChannel> channels = new ArrayList<>();

    private TlsFixture(PemFiles server, PemFiles client, PemFiles stranger) {
        this.server = server;
        this.client = client;
        this.stranger = stranger;
    }

    /** Writes the certificates into {@code directory} ({@code trusted/} and {@code other/}). */
    public static TlsFixture create(Path directory) {
        var trusted = DevCertificates.generate(directory.resolve("trusted"), List.of("server", "client"));
        PemFiles stranger = CertificateAuthority.create("Another CA", DevCertificates.DEFAULT_VALIDITY)
                .issue(LeafSpec.loopback("stranger"), DevCertificates.DEFAULT_VALIDITY)
                .write(directory.resolve("other"), "stranger");
        return new TlsFixture(trusted.get("server"), trusted.get("client"), stranger);
    }

    /** The tier's certificate, key and CA bundle: set them as its {@code *.grpc.tls.*} keys. */
    public PemFiles server() {
        return server;
    }

    /** Sets {@link #server()}'s certificate, key and CA bundle as the tier's gRPC TLS {@code keys}. */
    public <C> ConfigBuilder<C> serving(ConfigBuilder<C> builder, ServerTlsKeys keys) {
        return builder.set(keys.certificate, server.certificateChain()).set(keys.privateKey, server.privateKey())
                .set(keys.trustCertificates, server.caBundle());
    }

    /** A client identity of the tier's authority: set it as a caller's {@code *.grpc-client.tls.*} keys. */
    public PemFiles client() {
        return client;
    }

    /** A client identity of another authority. */
    public PemFiles stranger() {
        return stranger;
    }

    /** A channel to {@code 127.0.0.1:port} as {@code caller}, shut down when the fixture closes. */
    public ManagedChannel channel(int port, Caller caller) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials(caller)).build();
        channels.add(channel);
        return channel;
    }

    private ChannelCredentials credentials(Caller caller) {
        try {
            return switch (caller) {
                case CERTIFIED -> TlsChannelCredentials.newBuilder().trustManager(server.caBundle().toFile())
                        .keyManager(client.certificateChain().toFile(), client.privateKey().toFile()).build();
                case NO_CERTIFICATE -> TlsChannelCredentials.newBuilder().trustManager(server.caBundle().toFile())
                        .build();
                case OTHER_AUTHORITY -> TlsChannelCredentials.newBuilder().trustManager(server.caBundle().toFile())
                        .keyManager(stranger.certificateChain().toFile(), stranger.privateKey().toFile()).build();
                case PLAINTEXT -> InsecureChannelCredentials.create();
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Asserts that {@code call} fails before reaching the service: the TLS handshake (or the plaintext connection
     * to a TLS port) is refused, which a gRPC caller sees as {@code UNAVAILABLE}.
     */
    public static void assertRefusedAtConnection(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).as(e.getStatus().toString())
                        .isEqualTo(Status.Code.UNAVAILABLE));
    }

    /** Asserts that {@code call} reached the port and was refused for want of a client certificate. */
    public static void assertCertificateRequired(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).isEqualTo("client certificate required");
        });
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        try {
            for (ManagedChannel channel : channels) {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
