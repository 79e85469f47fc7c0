package io.switchboard.devcerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated files are what a TLS stack reads: PEM a JDK parses, a chain that verifies against the bundle, the
 * loopback names, and a mutual-TLS handshake that succeeds between leaves of one authority and fails for a client
 * of another.
 */
class DevCertificatesTest {
    @TempDir
    Path dir;

    @Test
    void writesChainKeyAndBundleThatVerify() throws Exception {
        Map<String, PemFiles> files = DevCertificates.generate(dir, List.of("router", "gateway"));

        PemFiles router = files.get("router");
        List<X509Certificate> chain = certificates(router.certificateChain());
        X509Certificate ca = certificates(router.caBundle()).getFirst();
        assertThat(chain).hasSize(2);
        assertThat(chain.get(1)).isEqualTo(ca);
        chain.getFirst().verify(ca.getPublicKey());
        ca.verify(ca.getPublicKey());
        assertThat(chain.getFirst().getSubjectX500Principal().getName()).contains("CN=router");
        assertThat(chain.getFirst().getSubjectAlternativeNames())
                .containsExactlyInAnyOrder(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
        assertThat(chain.getFirst().getExtendedKeyUsage())
                .containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(chain.getFirst().getBasicConstraints()).isEqualTo(-1);
        assertThat(ca.getBasicConstraints()).isEqualTo(0);
        assertThat(Files.readString(router.privateKey())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(router.privateKey()).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");

        // The key belongs to the certificate: what it signs, the certificate's public key verifies.
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(privateKey(router.privateKey()));
        signer.update("hello".getBytes(StandardCharsets.UTF_8));
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(chain.getFirst());
        verifier.update("hello".getBytes(StandardCharsets.UTF_8));
        assertThat(verifier.verify(signature)).isTrue();

        // Both leaves share the one bundle.
        assertThat(files.get("gateway").caBundle()).isEqualTo(router.caBundle());
        certificates(files.get("gateway").certificateChain()).getFirst().verify(ca.getPublicKey());
    }

    @Test
    void validityStartsAnHourBackAndLastsTheGivenTime() {
        Instant now = Instant.parse("2026-12-03T12:00:00Z");
        CertificateAuthority ca = CertificateAuthority.create("test CA", Duration.ofDays(2), InstantSource.fixed(now));
        X509Certificate leaf = ca.issue(LeafSpec.loopback("x"), Duration.ofDays(1)).certificate();

        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(now.minus(CertificateAuthority.BACKDATE));
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(now.plus(Duration.ofDays(1)));
        assertThat(ca.certificate().getNotAfter().toInstant()).isEqualTo(now.plus(Duration.ofDays(2)));
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> CertificateAuthority.create(" ", Duration.ofDays(1)))
                .hasMessage("commonName: ' ' (expected: non-blank)");
        CertificateAuthority ca = CertificateAuthority.create("test CA", Duration.ofDays(1));
        assertThatThrownBy(() -> ca.issue(LeafSpec.loopback("x"), Duration.ZERO))
                .hasMessage("validity: PT0S (expected: > 0)");
    }

    @Test
    void mutualTlsHandshakeSucceedsWithinOneAuthorityAndOnTheLoopbackNames() throws Exception {
        Map<String, PemFiles> files = DevCertificates.generate(dir, List.of("server", "client"));

        for (String host : List.of("localhost", "127.0.0.1")) {
            assertThat(handshake(files.get("server"), files.get("client"), host)).isEqualTo("CN=client");
        }
    }

    @Test
    void mutualTlsHandshakeFailsForAClientOfAnotherAuthority() throws Exception {
        PemFiles server = DevCertificates.generate(dir.resolve("a"), List.of("server")).get("server");
        PemFiles stranger = DevCertificates.generate(dir.resolve("b"), List.of("client")).get("client");
        // The stranger trusts the server's authority, so only the server's check of the client can fail.
        PemFiles strangerTrustingServer = new PemFiles(stranger.certificateChain(), stranger.privateKey(),
                server.caBundle());

        // The server's refusal is the claim. What the client sees depends on timing (with TLS 1.3 the client may
        // finish its side before the server's alert arrives, then fail on write or read), so it is not asserted.
        Throwable refused = serverSideFailure(server, strangerTrustingServer);
        assertThat(causes(refused)).as("%s", refused).anyMatch(SSLHandshakeException.class::isInstance);
    }

    /** Runs a mutual-TLS handshake and returns how the server's side of it failed (null if it did not). */
    private static Throwable serverSideFailure(PemFiles server, PemFiles client) throws Exception {
        try (SSLServerSocket listener = mutualTlsListener(server)) {
            CompletableFuture<Integer> serverSide = acceptOne(listener, accepted -> accepted.getInputStream().read());
            try (SSLSocket socket = (SSLSocket) context(client).getSocketFactory()
                    .createSocket("localhost", listener.getLocalPort())) {
                socket.startHandshake();
                socket.getOutputStream().write(1);
                socket.getOutputStream().flush();
                socket.getInputStream().read();
            } catch (IOException clientSawIt) {
                // expected in most runs; the server's side below is what the test checks
            }
            return catchThrowable(() -> serverSide.get(10, TimeUnit.SECONDS));
        }
    }

    private static List<Throwable> causes(Throwable thrown) {
        List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable t = thrown; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    /** Runs a mutual-TLS handshake with hostname verification; returns the client subject the server saw. */
    private static String handshake(PemFiles server, PemFiles client, String host) throws Exception {
        try (SSLServerSocket listener = mutualTlsListener(server)) {
            CompletableFuture<String> seen = acceptOne(listener, accepted -> {
                accepted.getInputStream().read();
                X509Certificate peer = (X509Certificate) accepted.getSession().getPeerCertificates()[0];
                return peer.getSubjectX500Principal().getName().replaceAll(",.*", "");
            });
            try (SSLSocket socket = (SSLSocket) context(client).getSocketFactory()
                    .createSocket(host, listener.getLocalPort())) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                OutputStream out = socket.getOutputStream();
                out.write(1);
                out.flush();
                return seen.get(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                seen.cancel(true);
                throw e;
            }
        }
    }

    /** A loopback listener with {@code server}'s certificate that requires a client certificate. */
    private static SSLServerSocket mutualTlsListener(PemFiles server) throws Exception {
        SSLServerSocket listener = (SSLServerSocket) context(server).getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress());
        listener.setNeedClientAuth(true);
        return listener;
    }

    /** What the server's side does with the connection it accepted, once the handshake is done. */
    private interface Served<T> {
        T apply(SSLSocket accepted) throws IOException;
    }

    /** Accepts one connection in the background, completes its handshake and hands it to {@code served}. */
    private static <T> CompletableFuture<T> acceptOne(SSLServerSocket listener, Served<T> served) {
        return CompletableFuture.supplyAsync(() -> {
            try (SSLSocket accepted = (SSLSocket) listener.accept()) {
                accepted.startHandshake();
                return served.apply(accepted);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static SSLContext context(PemFiles files) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("key", privateKey(files.privateKey()), new char[0],
                certificates(files.certificateChain()).toArray(Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", certificates(files.caBundle()).getFirst());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    private static List<X509Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
        }
    }

    private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String base64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder()
                .decode(base64)));
    }
}
