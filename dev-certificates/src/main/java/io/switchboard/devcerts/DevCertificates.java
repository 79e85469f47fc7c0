package io.switchboard.devcerts;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one-call form: a new authority and one loopback leaf per name ({@link LeafSpec#loopback}), written into a
 * directory. Stateless, hence thread-safe.
 */
public final class DevCertificates {
    /** Long enough for a development cluster or a test run; short enough that a leaked file soon stops working. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(30);

    private DevCertificates() {
    }

    /**
     * Creates an authority and issues a leaf for each of {@code names} (server and client use, SANs
     * {@code localhost} and {@code 127.0.0.1}), written as {@code <name>.crt}, {@code <name>.key} and one
     * {@code ca.crt} into {@code directory}.
     *
     * @return each name's files, in the order of {@code names}
     */
    public static Map<String, PemFiles> generate(Path directory, Collection<String> names) {
        CertificateAuthority authority = CertificateAuthority.create("Switchboard development CA", DEFAULT_VALIDITY);
        Map<String, PemFiles> files = new LinkedHashMap<>();
        for (String name : names) {
            files.put(name, authority.issue(LeafSpec.loopback(name), DEFAULT_VALIDITY).write(directory, name));
        }
        return Collections.unmodifiableMap(files);
    }
}
