package io.switchboard.loadgen;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * Who connects where, shared by the coordinator and every worker (sent to workers as JSON), so each side
 * computes the same layout. Client indices: for fan-out style workloads the {@code rooms * members}
 * subscribers come first (subscriber {@code i} joins room {@code i % rooms} through URL {@code (i / rooms) % urls}),
 * then one publisher per room (room {@code r} through URL {@code r % urls}); for {@link Workload#ACKS} the
 * {@code publishers} acking clients follow the subscribers and client {@code c} publishes into room
 * {@code c % rooms}; for {@link Workload#IDLE} there are {@code connections} clients and nothing else. Client
 * {@code i} lives in worker {@code i % workers} and binds source address {@link #sourceAddress}. Immutable.
 *
 * @param workload      what the clients do
 * @param subprotocol   wire format of every client
 * @param urls          gateway WebSocket URLs
 * @param rooms         rooms (fan-out, max, acks)
 * @param members       subscribers per room
 * @param publishers    publishing clients (one per room for fan-out; the acking clients for acks)
 * @param connections   idle connections (idle only)
 * @param payloadBytes  bytes of every publish's payload
 * @param tokens        how the clients' tokens are signed
 * @param sourceAddresses how many loopback source addresses the clients spread over (1: the kernel's choice);
 *                      used against gateways on loopback only
 * @param workers       worker processes
 * @param connectWindow handshakes one worker keeps in flight
 * @param runId         distinguishes this run's users and message ids from other runs against the same servers
 * @param batch         offer the {@code +batch} subprotocol (docs/protocol.md section 13) and unpack batches
 * @param namespace     the namespace of the plan's rooms ({@value #DEFAULT_NAMESPACE} unless a workload needs
 *                      another one, e.g. one the platform conflates)
 * @param compress      offer permessage-deflate (RFC 7692) on every client's upgrade, as browsers do
 * @param caFile        for {@code wss://} URLs: a PEM file of the certificate authorities to trust; null: the JVM's
 *                      trust store
 */
public record Plan(Workload workload, WireFormat subprotocol, List<URI> urls, int rooms, int members, int publishers,
                   int connections, int payloadBytes, TokenSpec tokens, int sourceAddresses, int workers,
                   int connectWindow, String runId, boolean batch, String namespace, boolean compress,
                   String caFile) {
    /** The rooms' namespace when a workload names none. */
    public static final String DEFAULT_NAMESPACE = "load";

    /** Bytes of the payload the generator itself reads: intended send time and sequence number. */
    public static final int HEADER_BYTES = Payloads.HEADER_BYTES;

    public Plan {
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(subprotocol, "subprotocol");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(namespace, "namespace");
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("urls: none (expected: at least one ws:// URL)");
        }
        for (URI url : urls) {
            if (!"ws".equalsIgnoreCase(url.getScheme()) && !"wss".equalsIgnoreCase(url.getScheme())
                    || url.getHost() == null) {
                throw new IllegalArgumentException("url: " + url + " (expected: ws://HOST[:PORT]/PATH or wss://...)");
            }
        }
        if (workload == Workload.IDLE) {
            if (connections < 1) {
                throw new IllegalArgumentException("connections: " + connections + " (expected: >= 1)");
            }
        } else {
            if (rooms < 1) {
                throw new IllegalArgumentException("rooms: " + rooms + " (expected: >= 1)");
            }
            if (members < 0 || (workload != Workload.ACKS && members < 1)) {
                throw new IllegalArgumentException("members: " + members + " (expected: >= 1)");
            }
            if (publishers < 1) {
                throw new IllegalArgumentException("publishers: " + publishers + " (expected: >= 1)");
            }
        }
        if (payloadBytes < HEADER_BYTES) {
            throw new IllegalArgumentException("payloadBytes: " + payloadBytes + " (expected: >= " + HEADER_BYTES + ")");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers: " + workers + " (expected: >= 1)");
        }
        if (sourceAddresses < 1 || sourceAddresses > 65_000) {
            throw new IllegalArgumentException("sourceAddresses: " + sourceAddresses + " (expected: 1-65000)");
        }
        if (connectWindow < 1) {
            throw new IllegalArgumentException("connectWindow: " + connectWindow + " (expected: >= 1)");
        }
    }

    /** A plan with HS256 tokens of {@code secret}, the plain subprotocol and rooms of {@value #DEFAULT_NAMESPACE}. */
    public Plan(Workload workload, WireFormat subprotocol, List<URI> urls, int rooms, int members, int publishers,
                int connections, int payloadBytes, String secret, int sourceAddresses, int workers,
                int connectWindow, String runId) {
        this(workload, subprotocol, urls, rooms, members, publishers, connections, payloadBytes,
                TokenSpec.hs256(secret), sourceAddresses, workers, connectWindow, runId, false, DEFAULT_NAMESPACE,
                false, null);
    }

    /** The {@code Sec-WebSocket-Protocol} token the clients offer. */
    public String token() {
        return subprotocol.token() + (batch ? "+batch" : "");
    }

    /** The subprotocol as the result tables name it: its token, with {@code " deflate"} when compressing. */
    public String label() {
        return token() + (compress ? " deflate" : "");
    }

    /** Subscribing clients. */
    public int subscribers() {
        return workload == Workload.IDLE ? 0 : rooms * members;
    }

    /** Every client of the plan. */
    public int clients() {
        return workload == Workload.IDLE ? connections : subscribers() + publishers;
    }

    /** True when client {@code i} publishes. */
    public boolean isPublisher(int client) {
        return workload != Workload.IDLE && client >= subscribers();
    }

    /** The publisher number (0-based) of client {@code i}; only for publishers. */
    public int publisherIndex(int client) {
        return client - subscribers();
    }

    /** The room client {@code i} subscribes to (subscribers) or publishes into (publishers); -1 for idle. */
    public int roomOf(int client) {
        if (workload == Workload.IDLE) {
            return -1;
        }
        return isPublisher(client) ? publisherIndex(client) % rooms : client % rooms;
    }

    /** The URL index client {@code i} connects to. */
    public int urlOf(int client) {
        if (workload == Workload.IDLE) {
            return client % urls.size();
        }
        return isPublisher(client) ? publisherIndex(client) % urls.size() : (client / rooms) % urls.size();
    }

    /** The worker process that holds client {@code i}. */
    public int workerOf(int client) {
        return client % workers;
    }

    /** Subscribers of room {@code r}, each getting every message published into it. */
    public int membersOf(int room) {
        return members;
    }

    /** The name of room {@code r}. */
    public String roomName(int room) {
        return namespace + ":" + runId + ":" + room;
    }

    /** The user id of client {@code i}. */
    public String userOf(int client) {
        return "load-" + runId + "-" + client;
    }

    /**
     * Whether a client binds {@link #sourceAddress} to reach {@code target}: only to a gateway on loopback (the
     * addresses are loopback ones, which cannot reach another host) and only when spreading over more than one.
     */
    public boolean bindsSource(InetAddress target) {
        return sourceAddresses > 1 && target != null && target.isLoopbackAddress();
    }

    /**
     * The loopback source address of client {@code i}: 127.0.0.1 with one address, else one of
     * 127.1.0.1 onwards, so that every (source, destination) pair stays far below the ephemeral port range.
     */
    public String sourceAddress(int client) {
        if (sourceAddresses == 1) {
            return "127.0.0.1";
        }
        int n = 1 + client % sourceAddresses;
        return "127.1." + (n >> 8) + "." + (n & 0xFF);
    }
}
