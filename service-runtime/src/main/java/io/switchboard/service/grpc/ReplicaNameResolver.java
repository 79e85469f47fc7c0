package io.switchboard.service.grpc;

import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;

/**
 * Resolves a fixed list of replicas ({@code host:port}) to one address group per address, every entry through
 * the system resolver (so a name with several records yields several replicas). Resolves on start, every
 * {@link #PERIOD} (so replicas added, or restarted under a new address as Kubernetes pods are, are used without
 * waiting for a failure; the JVM caches DNS answers for as long) and whenever the load balancer asks
 * ({@link #refresh()}: a replica's connection failed); the lookups run on the channel's offload executor. An entry that does not resolve is left out (and logged) as long as another one resolves; none
 * at all is an UNAVAILABLE error, which the channel retries with backoff.
 *
 * <p>Thread-safe as grpc-java requires: {@code start}, {@code refresh} and {@code shutdown} run in the channel's
 * synchronization context, and so does the delivery of each result; the fields are confined to it.
 */
final class ReplicaNameResolver extends NameResolver {
    private static final System.Logger LOG = System.getLogger(ReplicaNameResolver.class.getName());
    /** How often the replicas are resolved again: the JVM's default DNS cache time. */
    static final Duration PERIOD = Duration.ofSeconds(30);

    private final List<InetSocketAddress> replicas;
    private final String authority;
    private final Executor executor;
    private final SynchronizationContext sync;
    private final ScheduledExecutorService timer;
    // Synchronization context only.
    private Listener2 listener;
    private boolean resolving;
    private boolean shutdown;
    private SynchronizationContext.ScheduledHandle periodic;

    ReplicaNameResolver(List<InetSocketAddress> replicas, String authority, Args args) {
        this.replicas = List.copyOf(replicas);
        this.authority = authority;
        this.executor = args.getOffloadExecutor() != null ? args.getOffloadExecutor() : Runnable::run;
        this.sync = args.getSynchronizationContext();
        this.timer = args.getScheduledExecutorService();
    }

    @Override
    public String getServiceAuthority() {
        return authority;
    }

    @Override
    public void start(Listener2 listener) {
        this.listener = listener;
        resolve();
        periodic = sync.scheduleWithFixedDelay(this::resolve, PERIOD, PERIOD, timer);
    }

    @Override
    public void refresh() {
        resolve();
    }

    @Override
    public void shutdown() {
        shutdown = true;
        if (periodic != null) {
            periodic.cancel();
        }
    }

    private void resolve() {
        if (resolving || shutdown) {
            return;
        }
        resolving = true;
        executor.execute(() -> {
            Resolved resolved = lookUp();
            sync.execute(() -> {
                resolving = false;
                if (!shutdown) {
                    deliver(resolved);
                }
            });
        });
    }

    private record Resolved(List<EquivalentAddressGroup> groups, List<String> failures) { }

    /** Blocking DNS lookups; off the synchronization context. */
    private Resolved lookUp() {
        Set<InetSocketAddress> addresses = new LinkedHashSet<>();
        List<String> failures = new ArrayList<>();
        for (InetSocketAddress replica : replicas) {
            try {
                for (InetAddress address : InetAddress.getAllByName(replica.getHostString())) {
                    addresses.add(new InetSocketAddress(address, replica.getPort()));
                }
            } catch (UnknownHostException | SecurityException e) {
                failures.add(replica.getHostString() + ": " + e.getMessage());
            }
        }
        return new Resolved(addresses.stream().map(EquivalentAddressGroup::new).toList(), failures);
    }

    private void deliver(Resolved resolved) {
        if (resolved.groups().isEmpty()) {
            listener.onResult2(ResolutionResult.newBuilder().setAddressesOrError(StatusOr.fromStatus(
                    Status.UNAVAILABLE.withDescription("no replica resolves: " + resolved.failures()))).build());
            return;
        }
        if (!resolved.failures().isEmpty()) {
            LOG.log(Level.WARNING, "replicas that do not resolve (left out until they do): " + resolved.failures());
        }
        listener.onResult2(ResolutionResult.newBuilder()
                .setAddressesOrError(StatusOr.fromValue(resolved.groups())).build());
    }
}
