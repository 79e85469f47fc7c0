package io.switchboard.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a file sent into a room is (docs/protocol.md section 16): the message published before its chunks, as JSON
 * with content type {@value #CONTENT_TYPE} and message id {@code fileId}. Chunk {@code i} is the message
 * {@code fileId + "." + i} with content type {@value #CHUNK_CONTENT_TYPE} and the raw bytes as payload.
 *
 * @param fileId    1-48 characters of {@code A-Z a-z 0-9 _ -}; with the chunk index it makes the chunks' ids
 * @param name      the file's name as the sender gave it (may be empty)
 * @param contentType the file's MIME type (may be empty)
 * @param size      bytes
 * @param chunkSize bytes per chunk (the last one may be shorter)
 * @param chunks    number of chunks, {@code ceil(size / chunkSize)} (0 for an empty file)
 * @param sha256    lowercase hex SHA-256 of the whole file
 */
public record FileManifest(String fileId, String name, String contentType, long size, int chunkSize, int chunks,
                           String sha256) {
    /** The content type of a manifest message. */
    public static final String CONTENT_TYPE = "application/vnd.switchboard.file+json";
    /** The content type of a chunk message. */
    public static final String CHUNK_CONTENT_TYPE = "application/vnd.switchboard.file-chunk";

    private static final Pattern FILE_ID = Pattern.compile("[A-Za-z0-9_-]{1,48}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    public FileManifest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(contentType, "contentType");
        if (fileId == null || !FILE_ID.matcher(fileId).matches()) {
            throw new IllegalArgumentException("fileId: " + fileId + " (expected: 1-48 characters of A-Z a-z 0-9 _ -)");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size: " + size + " (expected: >= 0)");
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize: " + chunkSize + " (expected: >= 1)");
        }
        long expected = (size + chunkSize - 1) / chunkSize;
        if (chunks != expected) {
            throw new IllegalArgumentException("chunks: " + chunks + " (expected: " + expected + " for size " + size
                    + " and chunkSize " + chunkSize + ")");
        }
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256: " + sha256 + " (expected: 64 lowercase hex digits)");
        }
    }

    /** The manifest of {@code data} sent in chunks of {@code chunkSize} bytes; a null name or content type is "". */
    static FileManifest of(String fileId, String name, String contentType, byte[] data, int chunkSize) {
        return new FileManifest(fileId, name == null ? "" : name, contentType == null ? "" : contentType, data.length,
                chunkSize, (data.length + chunkSize - 1) / chunkSize, hex(sha256(data)));
    }

    /** The SHA-256 digest of {@code data}. */
    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Whether {@code fileId} is a valid file id. */
    static boolean validFileId(String fileId) {
        return FILE_ID.matcher(fileId).matches();
    }

    /** The message id of chunk {@code index}. */
    public String chunkId(int index) {
        return fileId + "." + index;
    }

    /** The length of chunk {@code index}. */
    int chunkLength(int index) {
        return (int) Math.min(chunkSize, size - (long) index * chunkSize);
    }

    /** The chunk index a message id names for this file, or -1 if it names none of its chunks. */
    int chunkIndex(String messageId) {
        if (!messageId.startsWith(fileId) || messageId.length() < fileId.length() + 2 || messageId.charAt(fileId.length()) != '.') {
            return -1;
        }
        try {
            int index = Integer.parseInt(messageId, fileId.length() + 1, messageId.length(), 10);
            return index >= 0 && index < chunks ? index : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The file id in a chunk's message id ({@code fileId.index}), or null if it is not shaped like one. */
    static String fileIdOfChunk(String messageId) {
        int dot = messageId.lastIndexOf('.');
        return dot > 0 ? messageId.substring(0, dot) : null;
    }

    /** The manifest's payload: UTF-8 JSON, e.g. {@code {"fileId":"f1","name":"cat.png",...,"sha256":"..."}}. */
    public byte[] toJson() {
        return ("{\"fileId\":" + quote(fileId) + ",\"name\":" + quote(name) + ",\"contentType\":" + quote(contentType)
                + ",\"size\":" + size + ",\"chunkSize\":" + chunkSize + ",\"chunks\":" + chunks + ",\"sha256\":"
                + quote(sha256) + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a manifest's payload; unknown fields are ignored (later versions may add some). */
    public static FileManifest parse(byte[] json) {
        Struct.Builder struct = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(new String(json, StandardCharsets.UTF_8), struct);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("manifest: not a JSON object (" + e.getMessage() + ")", e);
        }
        return new FileManifest(string(struct, "fileId"), string(struct, "name"), string(struct, "contentType"),
                number(struct, "size"), Math.toIntExact(number(struct, "chunkSize")), Math.toIntExact(number(struct, "chunks")),
                string(struct, "sha256"));
    }

    /** Lowercase hex of a SHA-256 digest. */
    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    private static String string(Struct.Builder struct, String field) {
        Value value = struct.getFieldsOrDefault(field, Value.getDefaultInstance());
        return value.hasStringValue() ? value.getStringValue() : "";
    }

    private static long number(Struct.Builder struct, String field) {
        Value value = struct.getFieldsOrDefault(field, Value.getDefaultInstance());
        double number = value.getNumberValue();
        if (!value.hasNumberValue() || number != Math.rint(number) || Math.abs(number) > (1L << 53)) {
            throw new IllegalArgumentException("manifest: " + field + " (expected: an integer)");
        }
        return (long) number;
    }

    private static String quote(String text) {
        try {
            return PRINTER.print(Value.newBuilder().setStringValue(text));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a string value always prints", e);
        }
    }
}
