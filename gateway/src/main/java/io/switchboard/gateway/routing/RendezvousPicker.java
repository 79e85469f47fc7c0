package io.switchboard.gateway.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Rendezvous (highest-random-weight) hashing of rooms over routers: the owner of a room is the router with the
 * highest {@code weight(router, room)}. Adding or removing one router moves only the rooms it wins or owned,
 * and every gateway with the same router list agrees on the owner without coordination.
 *
 * <p>{@code weight(router, room) = fmix64(fnv1a64(utf8(router.toString()) + 0x00 + utf8(room)))}, compared as
 * unsigned; ties (practically impossible) go to the router whose string sorts first. The function is spelled out
 * so other implementations (e.g. a router checking ownership) can reproduce it. Immutable and thread-safe.
 */
public final class RendezvousPicker {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final List<RouterEndpoint> routers;
    private final byte[][] routerKeys;

    public RendezvousPicker(List<RouterEndpoint> routers) {
        if (routers.isEmpty()) {
            throw new IllegalArgumentException("routers: [] (expected: at least one)");
        }
        this.routers = List.copyOf(routers);
        this.routerKeys = new byte[this.routers.size()][];
        for (int i = 0; i < this.routers.size(); i++) {
            this.routerKeys[i] = this.routers.get(i).toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The router that owns {@code room}. */
    public RouterEndpoint pick(String room) {
        byte[] roomBytes = room.getBytes(StandardCharsets.UTF_8);
        int best = 0;
        long bestWeight = weight(routerKeys[0], roomBytes);
        for (int i = 1; i < routerKeys.length; i++) {
            long w = weight(routerKeys[i], roomBytes);
            int cmp = Long.compareUnsigned(w, bestWeight);
            if (cmp > 0 || (cmp == 0 && routers.get(i).toString().compareTo(routers.get(best).toString()) < 0)) {
                best = i;
                bestWeight = w;
            }
        }
        return routers.get(best);
    }

    /** Every router ordered by preference for {@code room}: the owner first, then the fallbacks. */
    public List<RouterEndpoint> rank(String room) {
        byte[] roomBytes = room.getBytes(StandardCharsets.UTF_8);
        List<Integer> order = new ArrayList<>();
        long[] weights = new long[routerKeys.length];
        for (int i = 0; i < routerKeys.length; i++) {
            weights[i] = weight(routerKeys[i], roomBytes);
            order.add(i);
        }
        order.sort((a, b) -> {
            int cmp = Long.compareUnsigned(weights[b], weights[a]);
            return cmp != 0 ? cmp : routers.get(a).toString().compareTo(routers.get(b).toString());
        });
        return order.stream().map(routers::get).toList();
    }

    public List<RouterEndpoint> routers() {
        return routers;
    }

    static long weight(byte[] router, byte[] room) {
        long h = FNV_OFFSET;
        for (byte b : router) {
            h = (h ^ (b & 0xff)) * FNV_PRIME;
        }
        h = h * FNV_PRIME; // the 0x00 separator: xor with 0 is a no-op
        for (byte b : room) {
            h = (h ^ (b & 0xff)) * FNV_PRIME;
        }
        return fmix64(h);
    }

    /** MurmurHash3's 64-bit finalizer: spreads FNV's weak low bits over the whole word. */
    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
