package io.switchboard.history.store;

/**
 * How far the store has ingested one Kafka partition. Immutable.
 *
 * @param nextOffset  the next offset to ingest: every record below it is stored (or was skipped on purpose)
 * @param ingestStart the first offset the store ever ingested for the partition; positions below it were never
 *                    seen (Kafka had already deleted them when the store began)
 */
public record PartitionProgress(long nextOffset, long ingestStart) {
    public PartitionProgress {
        if (ingestStart < 0 || nextOffset < ingestStart) {
            throw new IllegalArgumentException("progress: next " + nextOffset + ", start " + ingestStart
                    + " (expected: 0 <= start <= next)");
        }
    }
}
