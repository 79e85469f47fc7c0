package io.switchboard.gateway.probe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;

import io.switchboard.proto.Names;

/**
 * The reserved rooms probes are published into: {@code switchboard:probe-<k>}, one per partition of the room log,
 * so that the probes, taken in turn, cross every partition. Every gateway derives the same list from the topic's
 * partition count. Immutable.
 */
public final class ProbeRooms {
    /** The prefix of every probe room; the namespace is reserved ({@link Names#RESERVED_NAMESPACE}). */
    public static final String PREFIX = Names.RESERVED_NAMESPACE + ":probe-";
    /** Candidates tried per partition before giving up (the hash spreads names evenly: a few per partition do). */
    private static final int TRIES_PER_PARTITION = 1000;

    private ProbeRooms() {
    }

    /**
     * One room per partition: element {@code p} is the first {@code switchboard:probe-<k>} that
     * {@code partitionOf} maps to {@code p}.
     *
     * @throws IllegalStateException when no name is found for some partition (a broken partitioner)
     */
    public static List<String> of(int partitions, ToIntFunction<String> partitionOf) {
        String[] rooms = new String[partitions];
        int found = 0;
        for (int k = 0; found < partitions && k < partitions * TRIES_PER_PARTITION; k++) {
            String room = PREFIX + k;
            int p = partitionOf.applyAsInt(room);
            if (rooms[p] == null) {
                rooms[p] = room;
                found++;
            }
        }
        if (found < partitions) {
            throw new IllegalStateException("no probe room found for partitions "
                    + Arrays.toString(missing(rooms)) + " of " + partitions);
        }
        return List.of(rooms);
    }

    private static int[] missing(String[] rooms) {
        List<Integer> m = new ArrayList<>();
        for (int i = 0; i < rooms.length; i++) {
            if (rooms[i] == null) {
                m.add(i);
            }
        }
        return m.stream().mapToInt(Integer::intValue).toArray();
    }
}
