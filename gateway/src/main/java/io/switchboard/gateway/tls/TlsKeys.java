package io.switchboard.gateway.tls;

import static io.switchboard.service.config.ValueType.DURATION;
import static io.switchboard.service.config.ValueType.PATH;
import static io.switchboard.service.config.ValueType.STRING;

import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.config.Rule;
import io.switchboard.service.config.ValueType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The keys of the gateway's own TLS ({@code gateway.tls.*}): the PEM certificate chain and private key that turn its
 * port into {@code https://} and {@code wss://}, how often the files are checked for a replacement, and the
 * protocol and cipher-suite overrides. {@link TlsSettings#from} makes them a record. Stateless, hence thread-safe.
 */
public final class TlsKeys {
    private static final KeySection.Builder S = KeySection.builder("Gateway TLS (`gateway.tls.*`)");

    public static final Key<Path> CERTIFICATE = S.define("gateway.tls.certificate", PATH)
            .unsetMeans("unset (plain `ws://` and `http://`)")
            .doc("PEM file with the gateway's certificate chain, leaf first, then the intermediates (the root may be"
                    + " left out). When set, the gateway's one port serves only TLS: `wss://` for WebSockets and"
                    + " `https://` for `/metrics`, `/observe/health/*` and `/admin/*` (the admin token never travels"
                    + " in clear). Requires `gateway.tls.private-key`. See [operations: TLS](ops/tls.md).");
    public static final Key<Path> PRIVATE_KEY = S.define("gateway.tls.private-key", PATH)
            .unsetMeans("unset")
            .doc("PEM file with the private key of the leaf certificate: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1"
                    + " RSA (`BEGIN RSA PRIVATE KEY`); convert an SEC1 EC key (`BEGIN EC PRIVATE KEY`) with `openssl"
                    + " pkcs8 -topk8 -nocrypt`. Must match the leaf's public key. Requires `gateway.tls.certificate`.");
    public static final Key<Duration> RELOAD_INTERVAL = S.define("gateway.tls.reload-interval", DURATION)
            .byDefault(Duration.ofSeconds(10)).check(Check.positive())
            .doc("How often both files are read and compared (by content, so a Kubernetes Secret's symlink swap"
                    + " counts) with what the gateway serves. A changed, valid pair is served to new handshakes at"
                    + " once; open connections keep theirs. A broken pair (unreadable, key not matching the"
                    + " certificate, expired) keeps the old certificate, is logged once and counted in"
                    + " `gateway_tls_reloads_total{result=\"failed\"}`, and is tried again when the files change.");
    public static final Key<List<String>> PROTOCOLS = S.define("gateway.tls.protocols", ValueType.listOf(STRING))
            .unsetMeans("the JDK's defaults (`TLSv1.3`, `TLSv1.2`)")
            .check(Check.of(l -> !l.isEmpty(), "at least one protocol"))
            .doc("TLS protocol versions to enable, e.g. `[TLSv1.3]`. Leave unset unless a policy demands it: the"
                    + " JDK's defaults follow its security updates.");
    public static final Key<List<String>> CIPHER_SUITES = S.define("gateway.tls.cipher-suites",
                    ValueType.listOf(STRING)).unsetMeans("the JDK's defaults")
            .check(Check.of(l -> !l.isEmpty(), "at least one cipher suite"))
            .doc("Cipher suites to enable, by their JSSE names (e.g. `TLS_AES_128_GCM_SHA256`). Leave unset unless a"
                    + " policy demands it.");

    /** The section, with the rule that the certificate and the key come together. */
    public static final KeySection SECTION = S
            .rule(Rule.of(CERTIFICATE, s -> s.find(CERTIFICATE).isPresent() == s.find(PRIVATE_KEY).isPresent(),
                    s -> "set together with gateway.tls.private-key"))
            .build();

    private TlsKeys() {
    }
}
