package io.switchboard.history.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.proto.internal.v1.Envelope;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link MessageStore} in an embedded RocksDB database, durable through its write-ahead log (every batch is
 * written with {@code sync}). Thread-safe: reads run concurrently; writes serialize on one lock; close waits
 * for running operations (the native handles must not be freed under them).
 *
 * <p>Column families: {@code messages} (key = room UTF-8, {@code 0x00}, 8-byte big-endian offset; value =
 * 8-byte stored time in milliseconds, then the envelope), {@code rooms} (key = room; value = partition,
 * message count, highest deleted offset or -1) and {@code partitions} (key = 4-byte partition; value = next
 * offset, ingest start). The default family holds the topic id. A room name never contains {@code 0x00}, so
 * one room's messages are contiguous and ordered by offset.
 *
 * <p>Size: every use of the native RocksDB handles is in this one class, under the lock that keeps {@link #close()}
 * from freeing them under a running operation; splitting it would hand those handles to other classes.
 */
public final class RocksMessageStore implements MessageStore {
    private static final byte[] TOPIC_ID_KEY = "topic-id".getBytes(StandardCharsets.UTF_8);
    /** Above every key of every family: room names start with ASCII, partition keys with 0x00. */
    private static final byte[] END_OF_KEYS = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    /**
     * Not fsynced: a batch of messages and its partitions' next offsets are one atomic WriteBatch, so whatever a
     * machine crash takes off the WAL's tail takes the matching progress with it, and the ingester reads those
     * records from Kafka again (Kafka, written with acks=all, is the durable log; this store is a derived index).
     * A process crash loses nothing: the WAL is in the OS page cache. An fsync per poll cost a disk flush per
     * ingested batch, hundreds per second under load.
     */
    private final WriteOptions batchWrites;
    private final RocksDB db;
    private final ColumnFamilyHandle defaultCf;
    private final ColumnFamilyHandle messages;
    private final ColumnFamilyHandle rooms;
    private final ColumnFamilyHandle partitions;
    /** Read-locked by every operation, write-locked by close(). */
    private final ReentrantReadWriteLock openLock = new ReentrantReadWriteLock();
    /** Serializes writers: their read-modify-write of room counts and partition progress must not interleave. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Mirror of the partitions family; written under writeLock. */
    private final Map<Integer, PartitionProgress> progress = new ConcurrentHashMap<>();
    /** @GuardedBy("openLock" write lock) */
    private boolean closed;

    private RocksMessageStore(Path directory) throws RocksDBException {
        this.directory = directory;
        this.dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        this.cfOptions = new ColumnFamilyOptions();
        this.batchWrites = new WriteOptions().setSync(false);
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor(bytes("messages"), cfOptions),
                new ColumnFamilyDescriptor(bytes("rooms"), cfOptions),
                new ColumnFamilyDescriptor(bytes("partitions"), cfOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        this.db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
        this.defaultCf = handles.get(0);
        this.messages = handles.get(1);
        this.rooms = handles.get(2);
        this.partitions = handles.get(3);
        loadProgress();
    }

    /**
     * Opens (creating if needed) the store in {@code directory}.
     *
     * @throws UncheckedIOException when the directory cannot be created or the database cannot be opened (for
     *                              example because another process holds its lock)
     */
    public static RocksMessageStore open(Path directory) {
        try {
            Files.createDirectories(directory);
            return new RocksMessageStore(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create history.data-dir " + directory, e);
        } catch (RocksDBException e) {
            throw new UncheckedIOException("cannot open RocksDB in " + directory + ": " + e.getMessage(),
                    new IOException(e));
        }
    }

    /** The database directory. */
    public Path directory() {
        return directory;
    }

    @Override
    public Optional<String> topicId() {
        return reading(() -> Optional.ofNullable(db.get(defaultCf, TOPIC_ID_KEY))
                .map(b -> new String(b, StandardCharsets.UTF_8)));
    }

    @Override
    public void reset(String topicId) {
        writing(() -> {
            try (WriteBatch batch = new WriteBatch()) {
                for (ColumnFamilyHandle cf : List.of(defaultCf, messages, rooms, partitions)) {
                    batch.deleteRange(cf, new byte[0], END_OF_KEYS);
                }
                batch.put(defaultCf, TOPIC_ID_KEY, bytes(topicId));
                db.write(batchWrites, batch);
            }
            progress.clear();
            for (ColumnFamilyHandle cf : List.of(messages, rooms, partitions)) {
                db.compactRange(cf);
            }
            return null;
        });
    }

    @Override
    public Map<Integer, PartitionProgress> progress() {
        return Collections.unmodifiableMap(new HashMap<>(progress));
    }

    @Override
    public void append(List<StoredMessage> batchMessages, Map<Integer, Long> nextOffsets) {
        writing(() -> {
            Map<Integer, PartitionProgress> updated = new HashMap<>();
            Map<String, long[]> roomMeta = new HashMap<>();
            try (WriteBatch batch = new WriteBatch()) {
                for (StoredMessage m : batchMessages) {
                    PartitionProgress p = updated.getOrDefault(m.partition(), progress.get(m.partition()));
                    if (p != null && m.offset() < p.nextOffset()) {
                        continue; // already stored: a replay
                    }
                    long start = p == null ? m.offset() : p.ingestStart();
                    updated.put(m.partition(), new PartitionProgress(m.offset() + 1, start));
                    long[] meta = roomMeta.get(m.room());
                    if (meta == null) {
                        meta = roomMeta(m.room()).orElse(new long[] {m.partition(), 0, -1});
                        roomMeta.put(m.room(), meta);
                    }
                    meta[0] = m.partition();
                    meta[1]++;
                    batch.put(messages, messageKey(m.room(), m.offset()), messageValue(m));
                }
                nextOffsets.forEach((partition, next) -> {
                    PartitionProgress p = updated.getOrDefault(partition, progress.get(partition));
                    if (p == null) {
                        updated.put(partition, new PartitionProgress(next, next));
                    } else if (next > p.nextOffset()) {
                        updated.put(partition, new PartitionProgress(next, p.ingestStart()));
                    }
                });
                if (updated.isEmpty()) {
                    return null;
                }
                for (Map.Entry<String, long[]> e : roomMeta.entrySet()) {
                    batch.put(rooms, bytes(e.getKey()), roomValue(e.getValue()));
                }
                for (Map.Entry<Integer, PartitionProgress> e : updated.entrySet()) {
                    batch.put(partitions, partitionKey(e.getKey()), ByteBuffer.allocate(16)
                            .putLong(e.getValue().nextOffset()).putLong(e.getValue().ingestStart()).array());
                }
                db.write(batchWrites, batch);
            }
            progress.putAll(updated);
            return null;
        });
    }

    @Override
    public Optional<RoomInfo> room(String room) {
        return reading(() -> roomMeta(room).map(meta -> new RoomInfo((int) meta[0], meta[1], oldest(room),
                meta[2] < 0 ? OptionalLong.empty() : OptionalLong.of(meta[2]))));
    }

    @Override
    public Page latest(String room, int limit) {
        return before(room, Long.MAX_VALUE, limit);
    }

    @Override
    public Page before(String room, long offset, int limit) {
        requireLimit(limit);
        return reading(() -> {
            List<StoredMessage> page = new ArrayList<>();
            boolean more = false;
            int partition = partitionOf(room);
            try (RocksIterator it = db.newIterator(messages)) {
                // Exclusive: seek to the last key below (room, offset).
                if (offset == 0) {
                    return new Page(List.of(), false);
                }
                it.seekForPrev(messageKey(room, offset - 1));
                for (; it.isValid() && inRoom(it.key(), room); it.prev()) {
                    if (page.size() == limit) {
                        more = true;
                        break;
                    }
                    page.add(decode(room, partition, it.key(), it.value()));
                }
            }
            Collections.reverse(page);
            return new Page(page, more);
        });
    }

    @Override
    public Page after(String room, long offset, OptionalLong until, int limit) {
        requireLimit(limit);
        long bound = until.orElse(Long.MAX_VALUE);
        return reading(() -> {
            List<StoredMessage> page = new ArrayList<>();
            boolean more = false;
            if (offset == Long.MAX_VALUE) {
                return new Page(page, false);
            }
            int partition = partitionOf(room);
            try (RocksIterator it = db.newIterator(messages)) {
                for (it.seek(messageKey(room, offset + 1)); it.isValid() && inRoom(it.key(), room); it.next()) {
                    if (offsetOf(it.key()) >= bound) {
                        break;
                    }
                    if (page.size() == limit) {
                        more = true;
                        break;
                    }
                    page.add(decode(room, partition, it.key(), it.value()));
                }
            }
            return new Page(page, more);
        });
    }

    @Override
    public long count(String room, long offset, OptionalLong until) {
        long bound = until.orElse(Long.MAX_VALUE);
        return reading(() -> {
            long n = 0;
            if (offset == Long.MAX_VALUE) {
                return n;
            }
            try (RocksIterator it = db.newIterator(messages)) {
                for (it.seek(messageKey(room, offset + 1)); it.isValid() && inRoom(it.key(), room)
                        && offsetOf(it.key()) < bound; it.next()) {
                    n++;
                }
            }
            return n;
        });
    }

    @Override
    public List<String> rooms() {
        return reading(() -> {
            List<String> names = new ArrayList<>();
            try (RocksIterator it = db.newIterator(rooms)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    names.add(new String(it.key(), StandardCharsets.UTF_8));
                }
            }
            return names;
        });
    }

    @Override
    public long deleteExpired(String room, long cutoffMillis, long maxMessages) {
        if (maxMessages < 0) {
            throw new IllegalArgumentException("maxMessages: " + maxMessages + " (expected: >= 0)");
        }
        return writing(() -> {
            Optional<long[]> found = roomMeta(room);
            if (found.isEmpty()) {
                return 0L;
            }
            long[] meta = found.get();
            long excess = Math.max(0, meta[1] - maxMessages);
            long deleted = 0;
            long lastDeleted = -1;
            byte[] first = null;
            try (RocksIterator it = db.newIterator(messages)) {
                for (it.seek(messageKey(room, 0)); it.isValid() && inRoom(it.key(), room); it.next()) {
                    long storedTime = ByteBuffer.wrap(it.value()).getLong();
                    if (deleted >= excess && storedTime >= cutoffMillis) {
                        break;
                    }
                    if (first == null) {
                        first = it.key();
                    }
                    lastDeleted = offsetOf(it.key());
                    deleted++;
                }
            }
            if (deleted == 0) {
                return 0L;
            }
            meta[1] -= deleted;
            meta[2] = Math.max(meta[2], lastDeleted);
            try (WriteBatch batch = new WriteBatch()) {
                batch.deleteRange(messages, first, messageKey(room, lastDeleted + 1));
                batch.put(rooms, bytes(room), roomValue(meta));
                db.write(batchWrites, batch);
            }
            return deleted;
        });
    }

    @Override
    public void close() {
        openLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                db.syncWal();
            } catch (RocksDBException e) {
                System.getLogger(RocksMessageStore.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot sync the RocksDB WAL in " + directory + " on close", e);
            }
            for (ColumnFamilyHandle h : List.of(messages, rooms, partitions, defaultCf)) {
                h.close();
            }
            try {
                db.closeE();
            } catch (RocksDBException e) {
                System.getLogger(RocksMessageStore.class.getName()).log(System.Logger.Level.WARNING,
                        "RocksDB in " + directory + " did not close cleanly", e);
            }
            batchWrites.close();
            dbOptions.close();
            cfOptions.close();
        } finally {
            openLock.writeLock().unlock();
        }
    }

    private void loadProgress() throws RocksDBException {
        try (RocksIterator it = db.newIterator(partitions)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                ByteBuffer v = ByteBuffer.wrap(it.value());
                long next = v.getLong();
                progress.put(ByteBuffer.wrap(it.key()).getInt(), new PartitionProgress(next, v.getLong()));
            }
            it.status();
        }
    }

    private Optional<long[]> roomMeta(String room) throws RocksDBException {
        byte[] v = db.get(rooms, bytes(room));
        if (v == null) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(v);
        return Optional.of(new long[] {b.getInt(), b.getLong(), b.getLong()});
    }

    private OptionalLong oldest(String room) {
        try (RocksIterator it = db.newIterator(messages)) {
            it.seek(messageKey(room, 0));
            return it.isValid() && inRoom(it.key(), room) ? OptionalLong.of(offsetOf(it.key())) : OptionalLong.empty();
        }
    }

    private static byte[] roomValue(long[] meta) {
        return ByteBuffer.allocate(20).putInt((int) meta[0]).putLong(meta[1]).putLong(meta[2]).array();
    }

    private static byte[] messageKey(String room, long offset) {
        byte[] r = bytes(room);
        return ByteBuffer.allocate(r.length + 9).put(r).put((byte) 0).putLong(offset).array();
    }

    private static byte[] messageValue(StoredMessage m) {
        byte[] envelope = m.envelope().toByteArray();
        return ByteBuffer.allocate(8 + envelope.length).putLong(m.storedTimeMillis()).put(envelope).array();
    }

    private static byte[] partitionKey(int partition) {
        return ByteBuffer.allocate(4).putInt(partition).array();
    }

    private static boolean inRoom(byte[] key, String room) {
        byte[] r = bytes(room);
        return key.length == r.length + 9 && Arrays.equals(key, 0, r.length, r, 0, r.length) && key[r.length] == 0;
    }

    private static long offsetOf(byte[] key) {
        return ByteBuffer.wrap(key, key.length - 8, 8).getLong();
    }

    private int partitionOf(String room) throws RocksDBException {
        return roomMeta(room).map(meta -> (int) meta[0]).orElse(0);
    }

    private StoredMessage decode(String room, int partition, byte[] key, byte[] value) {
        long storedTime = ByteBuffer.wrap(value).getLong();
        try {
            Envelope envelope = Envelope.parseFrom(ByteBuffer.wrap(value, 8, value.length - 8));
            return new StoredMessage(room, partition, offsetOf(key), storedTime, envelope);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt message " + room + "@" + offsetOf(key) + " in " + directory, e);
        }
    }

    private static void requireLimit(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @FunctionalInterface
    private interface Operation<T> {
        T run() throws RocksDBException;
    }

    private <T> T reading(Operation<T> op) {
        openLock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("store " + directory + " is closed");
            }
            return op.run();
        } catch (RocksDBException e) {
            throw new UncheckedIOException("RocksDB in " + directory + ": " + e.getMessage(), new IOException(e));
        } finally {
            openLock.readLock().unlock();
        }
    }

    private <T> T writing(Operation<T> op) {
        writeLock.lock();
        try {
            return reading(op);
        } finally {
            writeLock.unlock();
        }
    }
}
