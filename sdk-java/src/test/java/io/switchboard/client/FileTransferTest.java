package io.switchboard.client;

import static io.switchboard.client.SwitchboardClientTest.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connected;
import io.switchboard.proto.client.v1.DirectMessage;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribed;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Files over the client against a fake transport, on a manual scheduler and a fake clock. */
class FileTransferTest {
    private static final int CHUNK = 1024;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final FakeConnector server = new FakeConnector(clock);
    @AutoClose
    private SwitchboardClient client;
    private long position = 100;

    private SwitchboardClient.Builder builder() {
        return SwitchboardClientTest.onFakeServer(clock, scheduler, server)
                .fileChunkBytes(CHUNK)
                .fileWindow(4);
    }

    private SwitchboardClient start(SwitchboardClient.Builder builder) {
        client = builder.build();
        client.connect();
        server.current().accept();
        return client;
    }

    private static byte[] bytes(int size) {
        byte[] data = new byte[size];
        new SplittableRandom(size).nextBytes(data);
        return data;
    }

    private List<Publish> published() {
        return server.current().sent(ClientFrame::hasPublish).stream().map(ClientFrame::getPublish).toList();
    }

    private void ack(Publish publish) {
        server.current().server(ServerFrame.newBuilder().setAck(Ack.newBuilder().setRequestId(publish.getRequestId())
                .setRoom(publish.getRoom()).setId(publish.getId()).setPosition(position++).setEpoch("t:0")).build());
    }

    private void ackAllUnanswered(List<Publish> answered) {
        for (Publish publish : published()) {
            if (!answered.contains(publish)) {
                answered.add(publish);
                ack(publish);
            }
        }
    }

    @Test
    void theManifestGoesFirstThenChunksInAWindowWithIdsFromTheFileIdAndProgressPerAck() throws Exception {
        start(builder());
        byte[] data = bytes(CHUNK * 9 + 100); // 10 chunks, the last one short
        FileTransfer transfer = client.sendFile("room", "f1", "cat.png", "image/png", data, progress::add);
        scheduler.runDue();

        assertThat(published()).extracting(Publish::getId).containsExactly("f1");
        Publish manifest = published().get(0);
        assertThat(manifest.getContentType()).isEqualTo(FileManifest.CONTENT_TYPE);
        assertThat(manifest.getAck()).isTrue();
        FileManifest parsed = FileManifest.parse(manifest.getPayload().toByteArray());
        assertThat(parsed).isEqualTo(new FileManifest("f1", "cat.png", "image/png", data.length, CHUNK, 10,
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data))));

        ack(manifest);
        // Four chunks (the window) go out at once, not more, before any of them is acknowledged.
        assertThat(published()).extracting(Publish::getId).containsExactly("f1", "f1.0", "f1.1", "f1.2", "f1.3");
        List<Publish> answered = new ArrayList<>(List.of(manifest));
        while (!transfer.done().isDone()) {
            ackAllUnanswered(answered);
            scheduler.runDue();
        }
        assertThat(transfer.done()).isCompletedWithValue(parsed);
        List<Publish> chunks = published().subList(1, published().size());
        assertThat(chunks).extracting(Publish::getId).containsExactly("f1.0", "f1.1", "f1.2", "f1.3", "f1.4", "f1.5", "f1.6", "f1.7", "f1.8", "f1.9");
        assertThat(chunks).allSatisfy(p -> assertThat(p.getContentType()).isEqualTo(FileManifest.CHUNK_CONTENT_TYPE));
        byte[] joined = chunks.stream().map(Publish::getPayload).reduce(ByteString.EMPTY, ByteString::concat).toByteArray();
        assertThat(joined).isEqualTo(data);
        assertThat(progress).extracting(FileProgress::chunks).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(progress.getLast().bytes()).isEqualTo(data.length);
        assertThat(progress.getLast().complete()).isTrue();
    }

    @Test
    void aFileToAUserIsTheSameManifestAndChunksAsStoredDirectMessagesManifestFirst() throws Exception {
        client = builder().build();
        client.connect();
        server.current().accept(Connected.newBuilder().setSessionId("s").setUserId("u").setInbox("inbox:u").setInboxEpoch("t:0").build());
        byte[] data = bytes(CHUNK * 5 + 1); // 6 chunks
        FileTransfer transfer = client.sendFileToUser("bob", "f9", "cat.png", "image/png", data, progress::add);
        scheduler.runDue();
        assertThat(published()).isEmpty();
        List<DirectMessage> sent = server.current().sent(ClientFrame::hasDirect).stream().map(ClientFrame::getDirect).toList();
        assertThat(sent).singleElement().satisfies(manifest -> {
            assertThat(manifest.getId()).isEqualTo("f9");
            assertThat(manifest.getUserId()).isEqualTo("bob");
            assertThat(manifest.getStored()).isTrue();
            assertThat(manifest.getContentType()).isEqualTo(FileManifest.CONTENT_TYPE);
            assertThat(FileManifest.parse(manifest.getPayload().toByteArray())).isEqualTo(manifestOf("f9", data, "cat.png"));
        });
        assertThat(transfer.room()).as("the inbox is named by the manifest's ack").isNull();
        assertThat(transfer.userId()).isEqualTo("bob");

        List<Integer> answered = new ArrayList<>();
        while (!transfer.done().isDone()) {
            for (ClientFrame frame : server.current().sent(ClientFrame::hasDirect)) {
                DirectMessage d = frame.getDirect();
                if (!answered.contains(d.getRequestId())) {
                    answered.add(d.getRequestId());
                    server.current().server(ServerFrame.newBuilder().setAck(Ack.newBuilder().setRequestId(d.getRequestId())
                            .setRoom("inbox:bob").setId(d.getId()).setPosition(position++).setEpoch("t:0")).build());
                }
            }
            scheduler.runDue();
        }
        assertThat(transfer.done()).isCompletedWithValue(transfer.manifest());
        assertThat(transfer.room()).isEqualTo("inbox:bob");
        List<DirectMessage> all = server.current().sent(ClientFrame::hasDirect).stream().map(ClientFrame::getDirect).toList();
        assertThat(all).extracting(DirectMessage::getId).containsExactly("f9", "f9.0", "f9.1", "f9.2", "f9.3", "f9.4", "f9.5");
        assertThat(all.subList(1, all.size())).allSatisfy(d -> {
            assertThat(d.getContentType()).isEqualTo(FileManifest.CHUNK_CONTENT_TYPE);
            assertThat(d.getStored()).isTrue();
        });
        byte[] joined = all.subList(1, all.size()).stream().map(DirectMessage::getPayload).reduce(ByteString.EMPTY, ByteString::concat).toByteArray();
        assertThat(joined).isEqualTo(data);
        assertThat(progress).extracting(FileProgress::room).containsOnly("inbox:bob");
        assertThat(progress.getLast().complete()).isTrue();
    }

    @Test
    void chunksArePacedToTheConfiguredBytesPerSecond() {
        start(builder().fileWindow(16).fileBytesPerSecond(2 * CHUNK));
        client.sendFile("room", "paced", "a.bin", "application/octet-stream", bytes(CHUNK * 8), FileProgressListener.NONE);
        scheduler.runDue();
        List<Publish> answered = new ArrayList<>();
        ackAllUnanswered(answered);
        assertThat(published()).hasSize(1 + 2); // a second's worth
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(published()).hasSize(1 + 4);
        scheduler.advance(Duration.ofSeconds(2));
        assertThat(published()).hasSize(1 + 8);
    }

    @Test
    void concurrentTransfersShareOnePaceSoTheConnectionStaysBelowItsByteRate() {
        start(builder().fileWindow(16).fileBytesPerSecond(2 * CHUNK));
        client.sendFile("room", "one", "a.bin", "application/octet-stream", bytes(CHUNK * 4), FileProgressListener.NONE);
        client.sendFile("room", "two", "b.bin", "application/octet-stream", bytes(CHUNK * 4), FileProgressListener.NONE);
        scheduler.runDue();
        ackAllUnanswered(new ArrayList<>()); // both manifests
        scheduler.runDue();
        assertThat(published()).extracting(Publish::getContentType).filteredOn(FileManifest.CHUNK_CONTENT_TYPE::equals).hasSize(2);
        scheduler.advance(Duration.ofSeconds(3));
        assertThat(published()).extracting(Publish::getContentType).filteredOn(FileManifest.CHUNK_CONTENT_TYPE::equals).hasSize(8);
    }

    @Test
    void resumeAfterATimeoutSendsOnlyTheChunksNotAcknowledged() throws Exception {
        start(builder().publishTimeout(Duration.ofSeconds(5)));
        FileTransfer transfer = client.sendFile("room", "f2", "doc.pdf", "application/pdf", bytes(CHUNK * 6), progress::add);
        scheduler.runDue();
        ack(published().get(0)); // manifest
        List<Publish> firstWindow = published().subList(1, 5);
        ack(firstWindow.get(0));
        ack(firstWindow.get(1)); // chunks 0 and 1 stored; 2 and 3 never answered
        scheduler.runDue();
        server.current().serverCloses(1006); // and the network stays down past the publish timeout
        server.refuse = true;
        scheduler.advance(Duration.ofSeconds(6));
        assertThat(transfer.done()).isCompletedExceptionally();
        assertThat(failure(transfer.done())).isInstanceOf(SwitchboardException.class)
                .extracting(e -> ((SwitchboardException) e).code()).isEqualTo(ErrorCode.TIMEOUT.getNumber());
        assertThat(transfer.progress().chunks()).isEqualTo(2);

        server.refuse = false;
        scheduler.advance(Duration.ofSeconds(2));
        server.current().accept();
        CompletableFuture<FileManifest> resumed = transfer.resume();
        scheduler.runDue();
        assertThat(published()).extracting(Publish::getId).containsExactly("f2.2", "f2.3", "f2.4", "f2.5");
        List<Publish> answered = new ArrayList<>();
        ackAllUnanswered(answered);
        scheduler.runDue();
        assertThat(resumed).isCompletedWithValue(transfer.manifest());
        assertThat(progress).extracting(FileProgress::chunks).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void aFileLargerThanTheMaximumIsRefusedBeforeAnythingIsSent() {
        start(builder().maxFileBytes(10 * CHUNK));
        assertThatThrownBy(() -> client.sendFile("room", "big", "b", "x/y", new byte[10 * CHUNK + 1], FileProgressListener.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("data: 10241 bytes (expected: <= maxFileBytes 10240)");
        assertThatThrownBy(() -> client.sendFile("room", "bad.id", "b", "x/y", new byte[1], FileProgressListener.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("fileId: bad.id");
        scheduler.runDue();
        assertThat(published()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------- receiving

    /**
     * Records what a subscription hands the application: messages, files, progress and incomplete files
     * ({@link ClientEndToEndTest}'s file tests record through it too).
     */
    static final class Recorder implements RoomListener {
        final List<Message> messages = new CopyOnWriteArrayList<>();
        final List<ReceivedFile> files = new CopyOnWriteArrayList<>();
        final List<FileProgress> progress = new CopyOnWriteArrayList<>();
        final List<IncompleteFile> incomplete = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(Message message) {
            messages.add(message);
        }

        @Override
        public void onFile(ReceivedFile file) {
            files.add(file);
        }

        @Override
        public void onFileProgress(FileProgress p) {
            progress.add(p);
        }

        @Override
        public void onFileIncomplete(IncompleteFile file) {
            incomplete.add(file);
        }
    }

    private final Recorder recorder = new Recorder();
    /** The sender's own progress (from {@code sendFile}) and the subscription's, in one list. */
    private final List<FileProgress> progress = recorder.progress;
    private final List<ReceivedFile> files = recorder.files;
    private final List<IncompleteFile> incomplete = recorder.incomplete;

    private void subscribe() {
        client.subscribe("room", recorder);
        ClientFrame subscribe = server.current().last(ClientFrame::hasSubscribe);
        server.current().server(ServerFrame.newBuilder().setSubscribed(Subscribed.newBuilder()
                .setRequestId(subscribe.getSubscribe().getRequestId()).setRoom("room").setEpoch("t:0").setNextPosition(position)).build());
    }

    private void deliver(String id, String contentType, byte[] payload) {
        deliver("room", "bob", id, contentType, payload);
    }

    private void deliver(String room, String sender, String id, String contentType, byte[] payload) {
        server.current().server(ServerFrame.newBuilder().setMessage(message(room, sender, id, contentType, payload)).build());
    }

    private Message message(String room, String sender, String id, String contentType, byte[] payload) {
        return Message.newBuilder().setRoom(room).setPosition(position++).setEpoch("t:0").setId(id).setSender(sender)
                .setContentType(contentType).setPayload(ByteString.copyFrom(payload)).build();
    }

    private static FileManifest manifestOf(String fileId, byte[] data) throws Exception {
        return manifestOf(fileId, data, "pic.png");
    }

    private static FileManifest manifestOf(String fileId, byte[] data, String name) throws Exception {
        return new FileManifest(fileId, name, "image/png", data.length, CHUNK, (data.length + CHUNK - 1) / CHUNK,
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
    }

    private void deliverChunk(FileManifest manifest, byte[] data, int index) {
        deliver(manifest.chunkId(index), FileManifest.CHUNK_CONTENT_TYPE, chunk(data, index));
    }

    private static byte[] chunk(byte[] data, int index) {
        int from = index * CHUNK;
        return Arrays.copyOfRange(data, from, Math.min(data.length, from + CHUNK));
    }

    @Test
    void chunksInAnyOrderMakeOneVerifiedFileAndOtherMessagesPassThrough() throws Exception {
        start(builder());
        subscribe();
        byte[] data = bytes(CHUNK * 2 + 7);
        FileManifest manifest = manifestOf("f3", data);
        deliver("f3", FileManifest.CONTENT_TYPE, manifest.toJson());
        deliverChunk(manifest, data, 2);
        deliver("hello", "text/plain", "hi".getBytes(StandardCharsets.UTF_8));
        deliverChunk(manifest, data, 0);
        assertThat(files).isEmpty();
        deliverChunk(manifest, data, 1);

        assertThat(files).singleElement().satisfies(file -> {
            assertThat(file.data()).isEqualTo(data);
            assertThat(file.manifest()).isEqualTo(manifest);
            assertThat(file.sender()).isEqualTo("bob");
        });
        assertThat(recorder.messages).extracting(Message::getId).containsExactly("hello");
        assertThat(progress).extracting(FileProgress::bytes).containsExactly((long) 7, 7L + CHUNK, 7L + 2 * CHUNK);
        assertThat(incomplete).isEmpty();
    }

    @Test
    void filesSentToThisUserArriveInTheInboxListenersFileCallbacksNotAsMessages() throws Exception {
        client = builder().build();
        client.connect();
        server.current().accept(Connected.newBuilder().setSessionId("s").setUserId("u").setInbox("inbox:u").setInboxEpoch("t:0").build());
        client.subscribeInbox(recorder);
        ClientFrame subscribe = server.current().last(ClientFrame::hasSubscribe);
        assertThat(subscribe.getSubscribe().getRoom()).isEqualTo("inbox:u");
        server.current().server(ServerFrame.newBuilder().setSubscribed(Subscribed.newBuilder()
                .setRequestId(subscribe.getSubscribe().getRequestId()).setRoom("inbox:u").setEpoch("t:0").setNextPosition(position)
                .setRecovered(true)).build());
        byte[] fromAnn = bytes(CHUNK + 3);
        byte[] fromBob = bytes(CHUNK * 2);
        // Two senders' files with the same file id in one inbox are two files, keyed by (inbox, sender, file id).
        deliver("inbox:u", "ann", "f1", FileManifest.CONTENT_TYPE, manifestOf("f1", fromAnn).toJson());
        deliver("inbox:u", "bob", "f1", FileManifest.CONTENT_TYPE, manifestOf("f1", fromBob).toJson());
        deliver("inbox:u", "ann", "hi", "text/plain", "hi".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 2; i++) {
            deliver("inbox:u", "bob", "f1." + i, FileManifest.CHUNK_CONTENT_TYPE, chunk(fromBob, i));
            deliver("inbox:u", "ann", "f1." + i, FileManifest.CHUNK_CONTENT_TYPE, chunk(fromAnn, i));
        }
        assertThat(files).extracting(ReceivedFile::sender).containsExactly("bob", "ann");
        assertThat(files).allSatisfy(file -> assertThat(file.room()).isEqualTo("inbox:u"));
        assertThat(files.get(0).data()).isEqualTo(fromBob);
        assertThat(files.get(1).data()).isEqualTo(fromAnn);
        assertThat(recorder.messages).extracting(Message::getId).containsExactly("hi");
        assertThat(progress).hasSize(4);
    }

    @Test
    void anApplicationsAssemblerPutsFilesTogetherFromHistoryPagesAndClosingReportsWhatIsLeft() throws Exception {
        start(builder());
        byte[] whole = bytes(CHUNK * 2 + 1);
        byte[] cut = bytes(CHUNK * 3);
        FileManifest wholeManifest = manifestOf("whole", whole);
        // A page as history returns it: an orphan chunk (its manifest is on an earlier page), one file whole, one
        // whose last chunk is on the next page, and the application's own messages in between.
        List<Message> page = List.of(
                message("room", "ann", "older.4", FileManifest.CHUNK_CONTENT_TYPE, new byte[CHUNK]),
                message("room", "ann", "whole", FileManifest.CONTENT_TYPE, wholeManifest.toJson()),
                message("room", "ann", "hello", "text/plain", "hello".getBytes(StandardCharsets.UTF_8)),
                message("room", "ann", "whole.0", FileManifest.CHUNK_CONTENT_TYPE, chunk(whole, 0)),
                message("room", "ann", "cut", FileManifest.CONTENT_TYPE, manifestOf("cut", cut).toJson()),
                message("room", "ann", "whole.1", FileManifest.CHUNK_CONTENT_TYPE, chunk(whole, 1)),
                message("room", "ann", "whole.2", FileManifest.CHUNK_CONTENT_TYPE, chunk(whole, 2)),
                message("room", "ann", "cut.0", FileManifest.CHUNK_CONTENT_TYPE, chunk(cut, 0)),
                message("room", "ann", "odd", FileManifest.CONTENT_TYPE, "not json".getBytes(StandardCharsets.UTF_8)));
        List<String> applications = new ArrayList<>();
        try (FileAssembler assembler = client.fileAssembler(recorder)) {
            for (Message message : page) {
                if (!assembler.accept(message)) {
                    applications.add(message.getId());
                }
            }
            assertThat(files).singleElement().satisfies(file -> {
                assertThat(file.data()).isEqualTo(whole);
                assertThat(file.manifest()).isEqualTo(wholeManifest);
                assertThat(file.position()).isEqualTo(page.get(1).getPosition());
            });
            // No stall timeout: paging takes as long as the application likes.
            scheduler.advance(Duration.ofHours(1));
            assertThat(incomplete).isEmpty();
        }
        assertThat(applications).containsExactly("hello", "odd");
        assertThat(incomplete).singleElement().satisfies(file -> {
            assertThat(file.manifest().fileId()).isEqualTo("cut");
            assertThat(file.chunks()).isEqualTo(1);
            assertThat(file.reason()).isEqualTo(IncompleteFile.Reason.CLOSED);
        });
    }

    @Test
    void aRoomABackendSubscribedThisUserToGetsFilesToo() throws Exception {
        start(builder().serverSubscriptions((subscription, subscribed) -> recorder));
        server.current().server(ServerFrame.newBuilder().setSubscribed(Subscribed.newBuilder().setRoom("room")
                .setEpoch("t:0").setNextPosition(position).setServerSide(true)).build());
        byte[] data = bytes(CHUNK + 5);
        FileManifest manifest = manifestOf("f7", data);
        deliver("f7", FileManifest.CONTENT_TYPE, manifest.toJson());
        deliverChunk(manifest, data, 0);
        deliverChunk(manifest, data, 1);
        assertThat(files).singleElement().satisfies(file -> assertThat(file.data()).isEqualTo(data));
        assertThat(recorder.messages).isEmpty();
    }

    @Test
    void aCorruptChunkIsReportedAsAChecksumMismatchNotDelivered() throws Exception {
        start(builder());
        subscribe();
        byte[] data = bytes(CHUNK + 1);
        FileManifest manifest = manifestOf("f4", data);
        deliver("f4", FileManifest.CONTENT_TYPE, manifest.toJson());
        byte[] corrupt = data.clone();
        corrupt[3] ^= 1;
        deliverChunk(manifest, corrupt, 0);
        deliverChunk(manifest, corrupt, 1);
        assertThat(files).isEmpty();
        assertThat(incomplete).singleElement().extracting(IncompleteFile::reason).isEqualTo(IncompleteFile.Reason.CHECKSUM_MISMATCH);
    }

    @Test
    void aTransferThatStopsIsReportedIncompleteAfterTheStallTimeout() throws Exception {
        start(builder().fileStallTimeout(Duration.ofSeconds(30)));
        subscribe();
        byte[] data = bytes(CHUNK * 3);
        FileManifest manifest = manifestOf("f5", data);
        deliver("f5", FileManifest.CONTENT_TYPE, manifest.toJson());
        scheduler.advance(Duration.ofSeconds(20));
        deliverChunk(manifest, data, 0); // progress pushes the deadline back
        scheduler.advance(Duration.ofSeconds(20));
        assertThat(incomplete).isEmpty();
        scheduler.advance(Duration.ofSeconds(11));
        assertThat(incomplete).singleElement().satisfies(file -> {
            assertThat(file.reason()).isEqualTo(IncompleteFile.Reason.STALLED);
            assertThat(file.chunks()).isEqualTo(1);
        });
        deliverChunk(manifest, data, 1); // too late: the file was given up, its memory freed
        deliverChunk(manifest, data, 2);
        assertThat(files).isEmpty();
    }

    @Test
    void aManifestAboveMaxFileBytesIsRefusedAndItsChunksIgnored() throws Exception {
        start(builder().maxFileBytes(2 * CHUNK));
        subscribe();
        byte[] data = bytes(CHUNK * 3);
        FileManifest manifest = manifestOf("f6", data);
        deliver("f6", FileManifest.CONTENT_TYPE, manifest.toJson());
        deliverChunk(manifest, data, 0);
        assertThat(incomplete).singleElement().extracting(IncompleteFile::reason).isEqualTo(IncompleteFile.Reason.TOO_LARGE);
        assertThat(progress).isEmpty();
        assertThat(recorder.messages).isEmpty();
    }

    @Test
    void manifestJsonRoundTripsAndRejectsInconsistentCounts() {
        FileManifest manifest = new FileManifest("id_1-x", "na\"me \u00e9.txt", "text/plain", 2049, 1024, 3, "0".repeat(64));
        assertThat(FileManifest.parse(manifest.toJson())).isEqualTo(manifest);
        assertThat(new String(manifest.toJson(), StandardCharsets.UTF_8)).startsWith("{\"fileId\":\"id_1-x\",\"name\":\"na\\\"me \u00e9.txt\"");
        assertThatThrownBy(() -> new FileManifest("x", "", "", 2049, 1024, 2, "0".repeat(64)))
                .hasMessage("chunks: 2 (expected: 3 for size 2049 and chunkSize 1024)");
        assertThat(manifest.chunkIndex("id_1-x.2")).isEqualTo(2);
        assertThat(manifest.chunkIndex("id_1-x.3")).isEqualTo(-1);
        assertThat(manifest.chunkIndex("id_1-xy.1")).isEqualTo(-1);
    }
}
