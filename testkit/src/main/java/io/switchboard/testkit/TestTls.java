package io.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client side of TLS in tests: a context that trusts given authorities (a test's own CA, never "trust all"),
 * an HttpClient on it, and the certificate a server presents to a fresh handshake. Stateless, hence thread-safe.
 */
public final class TestTls {
    private TestTls() {
    }

    /** An SSLContext that trusts exactly {@code authorities}; each call has its own (empty) session cache. */
    public static SSLContext trusting(List<X509Certificate> authorities) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < authorities.size(); i++) {
                store.setCertificateEntry("ca-" + i, authorities.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust store", e);
        }
    }

    /** An HttpClient (and WebSocket client) that trusts {@code authorities}. */
    public static HttpClient httpClient(List<X509Certificate> authorities) {
        return HttpClient.newBuilder().sslContext(trusting(authorities)).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * The leaf certificate 127.0.0.1:{@code port} presents to a new client that trusts {@code authorities}, with
     * hostname verification (a fresh context, so no session is resumed).
     *
     * @throws UncheckedIOException when the handshake fails (for example the server's CA is not trusted)
     */
    public static X509Certificate servedCertificate(int port, List<X509Certificate> authorities) {
        try (SSLSocket socket = (SSLSocket) trusting(authorities).getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        } catch (IOException e) {
            throw new UncheckedIOException("TLS handshake with 127.0.0.1:" + port + " failed", e);
        }
    }
}
