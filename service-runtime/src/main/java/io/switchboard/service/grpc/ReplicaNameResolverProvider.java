package io.switchboard.service.grpc;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;

/**
 * The {@code replicas} scheme: {@code replicas:///host1:port1,host2:port2}, a fixed list of replicas, each entry
 * resolved through the system resolver to all its addresses (so one entry may also be a DNS name with several
 * records, such as a Kubernetes headless Service). Registered through {@code META-INF/services}, as grpc-java
 * discovers resolvers; build targets with {@link #target(List)}. Thread-safe (stateless).
 */
public final class ReplicaNameResolverProvider extends NameResolverProvider {
    /** The URI scheme this provider resolves. */
    public static final String SCHEME = "replicas";

    /** The target naming {@code replicas} ({@code host:port} each, IPv6 literals in brackets). */
    public static String target(List<String> replicas) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("replicas: [] (expected: at least one host:port)");
        }
        try {
            // The path form quotes what a path may not hold as written (the brackets of IPv6 literals).
            return new URI(SCHEME, "", "/" + String.join(",", replicas), null).toString();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("replicas: " + replicas + " (expected: host:port entries)", e);
        }
    }

    @Override
    public NameResolver newNameResolver(URI target, NameResolver.Args args) {
        if (!SCHEME.equals(target.getScheme())) {
            return null;
        }
        String path = target.getPath();
        if (path == null || path.length() < 2) {
            throw new IllegalArgumentException("target: " + target + " (expected: replicas:///host:port,...)");
        }
        List<String> entries = Arrays.stream(path.substring(1).split(",")).map(String::strip)
                .filter(e -> !e.isEmpty()).toList();
        return new ReplicaNameResolver(entries.stream().map(ReplicaNameResolverProvider::parse).toList(),
                entries.getFirst(), args);
    }

    @Override
    public String getDefaultScheme() {
        return SCHEME;
    }

    @Override
    protected boolean isAvailable() {
        return true;
    }

    @Override
    protected int priority() {
        return 5;
    }

    @Override
    public Collection<Class<? extends java.net.SocketAddress>> getProducedSocketAddressTypes() {
        return List.of(InetSocketAddress.class);
    }

    /** {@code host:port}, unresolved; brackets of an IPv6 literal removed. */
    private static InetSocketAddress parse(String entry) {
        int colon = entry.lastIndexOf(':');
        if (colon <= 0 || colon == entry.length() - 1) {
            throw new IllegalArgumentException("replica: " + entry + " (expected: host:port)");
        }
        String host = entry.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return InetSocketAddress.createUnresolved(host, Integer.parseInt(entry.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("replica: " + entry + " (expected: host:port, port 1-65535)", e);
        }
    }
}
