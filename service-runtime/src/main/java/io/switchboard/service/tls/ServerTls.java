package io.switchboard.service.tls;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;

import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * How a tier's gRPC port is secured: plaintext, or TLS with its credentials and, when client certificates are
 * asked for, a check that refuses calls to anything but the public services (gRPC health, reflection and those
 * the tier names) from a caller without a verified client certificate, with {@code UNAUTHENTICATED "client
 * certificate required"}. The TLS handshake already refuses certificates of unknown CAs; the check covers the
 * callers that {@code client-auth: optional} lets connect without one. Immutable, hence thread-safe.
 */
public final class ServerTls {
    /** The description of the refusal. */
    public static final String CERTIFICATE_REQUIRED = "client certificate required";
    private static final ServerTls PLAINTEXT = new ServerTls(null, false, Set.of(), "plaintext");

    private final ServerCredentials credentials;
    private final boolean checkClients;
    private final Set<String> publicServices;
    private final String description;

    private ServerTls(ServerCredentials credentials, boolean checkClients, Set<String> publicServices,
                      String description) {
        this.credentials = credentials;
        this.checkClients = checkClients;
        this.publicServices = publicServices;
        this.description = description;
    }

    /** No TLS: what every tier serves when its {@code *.grpc.tls.certificate} is unset. */
    public static ServerTls plaintext() {
        return PLAINTEXT;
    }

    static ServerTls of(ServerCredentials credentials, boolean checkClients, Set<String> publicServices,
                        String description) {
        Set<String> open = new HashSet<>(publicServices);
        open.add(HealthGrpc.SERVICE_NAME);
        open.add(ServerReflectionGrpc.SERVICE_NAME);
        return new ServerTls(Objects.requireNonNull(credentials, "credentials"), checkClients, Set.copyOf(open),
                description);
    }

    /** A Netty server builder on {@code port} with these credentials and the client-certificate check. */
    public NettyServerBuilder serverBuilder(int port) {
        if (credentials == null) {
            return NettyServerBuilder.forPort(port);
        }
        NettyServerBuilder builder = NettyServerBuilder.forPort(port, credentials);
        certificateCheck().ifPresent(builder::intercept);
        return builder;
    }

    /** Whether the port speaks TLS. */
    public boolean enabled() {
        return credentials != null;
    }

    /** For the start-up log line: {@code plaintext}, {@code TLS, client certificates required}, ... */
    @Override
    public String toString() {
        return description;
    }

    /** The check, when client certificates are asked for. */
    Optional<ServerInterceptor> certificateCheck() {
        return checkClients ? Optional.of(new ClientCertificateCheck(publicServices)) : Optional.empty();
    }

    /** Refuses calls to non-public services from callers without a verified client certificate. */
    private static final class ClientCertificateCheck implements ServerInterceptor {
        private final Set<String> publicServices;

        ClientCertificateCheck(Set<String> publicServices) {
            this.publicServices = publicServices;
        }

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                           ServerCallHandler<Q, R> next) {
            if (publicServices.contains(call.getMethodDescriptor().getServiceName()) || verified(call)) {
                return next.startCall(call, headers);
            }
            call.close(Status.UNAUTHENTICATED.withDescription(CERTIFICATE_REQUIRED), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }

        private static boolean verified(ServerCall<?, ?> call) {
            SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            if (session == null) {
                return false;
            }
            try {
                // Present only when the handshake verified the chain against the trust bundle.
                return session.getPeerCertificates().length > 0;
            } catch (SSLPeerUnverifiedException e) {
                return false;
            }
        }
    }
}
