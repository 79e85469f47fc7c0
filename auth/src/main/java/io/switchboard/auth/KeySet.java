package io.switchboard.auth;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.MalformedURLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * The keys tokens are verified with, from up to four places at once:
 * <ul>
 * <li><b>configured</b> keys (an HS256 secret, a PEM public key): they have no {@code kid} and verify any token
 * of their algorithm whatever {@code kid} it names, as a single configured key always did;</li>
 * <li>a <b>JWK Set file</b> and a <b>JWKS URL</b>: a token's {@code kid} must name one of their keys. Each is read
 * through nimbus' {@link JWKSourceBuilder}: cached for the refresh interval and read again in the background a
 * quarter of it before it runs out (refresh-ahead), read again at once when a token names an unknown
 * {@code kid} (at most about once per minimum refetch interval), and the last good set is kept for as long as
 * the file or URL fails. So keys rotate without a restart: publish the new key, then sign with it.</li>
 * </ul>
 * Thread-safe; {@link #close()} stops the background refreshes.
 */
public final class KeySet implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KeySet.class.getName());
    private static final int MAX_JWKS_BYTES = 512 * 1024;
    private static final ThreadFactory REFRESH_THREADS =
            Thread.ofPlatform().name("switchboard-keyset-refresh-", 0).daemon(true).factory();

    private final List<JWK> configured;
    private final Map<String, JWKSource<SecurityContext>> published;

    private KeySet(List<JWK> configured, Map<String, JWKSource<SecurityContext>> published) {
        this.configured = List.copyOf(configured);
        this.published = published;
    }

    /** The key set {@code settings} describe; nothing is read yet (see {@link #prefetch()}). */
    public static KeySet from(KeySetSettings settings) {
        List<JWK> configured = new ArrayList<>();
        settings.hs256Secret().map(KeyMaterial::hmacSecret).ifPresent(configured::add);
        settings.publicKeyPem().map(KeyMaterial::publicKeyPem).ifPresent(configured::add);
        Map<String, JWKSource<SecurityContext>> published = new LinkedHashMap<>();
        settings.jwksFile().ifPresent(file -> published.put("file " + file,
                cached(JWKSourceBuilder.create(new FileJwkSetSource(file)), settings)));
        settings.jwksUrl().ifPresent(url -> {
            int timeout = (int) settings.fetchTimeout().toMillis();
            try {
                published.put("url " + url, cached(JWKSourceBuilder.create(url.toURL(),
                        new DefaultResourceRetriever(timeout, timeout, MAX_JWKS_BYTES)).retrying(true), settings));
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException(settings.prefix() + ".jwks-url: " + url + " (expected: a URL)", e);
            }
        });
        return new KeySet(configured, Collections.unmodifiableMap(published));
    }

    /**
     * A key set of fixed keys (tests, tools): keys without {@code kid} are treated like configured ones, keys with
     * one like those of a published set.
     */
    public static KeySet of(List<JWK> keys) {
        List<JWK> named = keys.stream().filter(k -> k.getKeyID() != null).toList();
        return new KeySet(keys.stream().filter(k -> k.getKeyID() == null).toList(),
                named.isEmpty() ? Map.of() : Map.of("fixed", new ImmutableJWKSet<>(new JWKSet(named))));
    }

    private static JWKSource<SecurityContext> cached(JWKSourceBuilder<SecurityContext> builder,
                                                     KeySetSettings settings) {
        long ttl = settings.refreshInterval().toMillis();
        // Our own daemon threads (nimbus' defaults are not daemons), shut down by close().
        return builder
                .cache(ttl, settings.fetchTimeout().toMillis())
                .refreshAheadCache(ttl / 4, null, Executors.newSingleThreadExecutor(REFRESH_THREADS), true,
                        Executors.newSingleThreadScheduledExecutor(REFRESH_THREADS), true)
                .rateLimited(settings.minRefetchInterval().toMillis())
                .outageTolerantForever()
                .build();
    }

    /**
     * The keys that may have signed a token with {@code header}: configured keys of its algorithm, and keys of
     * the file and URL whose {@code kid} (when the token names one), type and algorithm match.
     *
     * @throws KeySourceException when no key matched and the file or URL could not be read (and no earlier set
     *                            is known)
     */
    public List<JWK> candidates(JWSHeader header) throws KeySourceException {
        List<JWK> keys = configured.isEmpty() ? new ArrayList<>(1) : new ArrayList<>(matching(configured, header));
        if (published.isEmpty()) {
            return keys;
        }
        KeySourceException failure = null;
        JWKSelector selector = new JWKSelector(JWKMatcher.forJWSHeader(header));
        for (JWKSource<SecurityContext> source : published.values()) {
            try {
                keys.addAll(source.get(selector, null));
            } catch (RateLimitReachedException e) {
                // An unknown kid asked again within the minimum refetch interval: no key, nothing failed.
            } catch (KeySourceException e) {
                failure = e;
            }
        }
        if (keys.isEmpty() && failure != null) {
            throw failure;
        }
        return keys;
    }

    private static List<JWK> matching(List<JWK> keys, JWSHeader header) {
        JWKMatcher anyKid = JWKMatcher.forJWSHeader(new JWSHeader.Builder(header).keyID(null).build());
        return keys.stream().filter(anyKid::matches).toList();
    }

    /**
     * Reads the file and the URL once in the background so that the first token does not wait for them and the
     * refresh-ahead starts; a failure is logged (tokens are refused until a read succeeds).
     */
    public void prefetch() {
        published.forEach((name, source) -> Thread.ofVirtual().name("switchboard-keyset-prefetch").start(() -> {
            try {
                int keys = source.get(new JWKSelector(new JWKMatcher.Builder().build()), null).size();
                LOG.log(Level.INFO, "key set " + name + ": " + keys + " keys");
            } catch (KeySourceException e) {
                LOG.log(Level.WARNING, "key set " + name + " could not be read (tokens signed with its keys are"
                        + " refused until it can): " + e.getMessage());
            }
        }));
    }

    /** Stops the background refreshes of the file and URL sources. */
    @Override
    public void close() {
        for (JWKSource<SecurityContext> source : published.values()) {
            if (source instanceof Closeable closeable) {
                try {
                    closeable.close();
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "closing a key source failed", e);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "KeySet{configured=" + configured.size() + ", published=" + published.keySet() + "}";
    }
}
