package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.testkit.TestTokens;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real clients against a real platform (embedded Kafka, router, history, gateway) on loopback, over WebSockets and
 * over the HTTP fallback (Server-Sent Events and POSTs).
 */
class ClientEndToEndTest {
    private static final String SECRET = "sdk-java-e2e-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @AutoClose
    private static LocalCluster cluster;
    @AutoClose
    private static SharedClientResources shared;
    private static ScheduledExecutorService scheduler;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.builder().history(true).set("gateway.auth.hs256-secret", SECRET).build().start();
        // Shared by both clients, as a load generator would share them.
        shared = SharedClientResources.create();
        scheduler = shared.scheduler();
        http = shared.http();
    }

    private static SwitchboardClient client(String user) {
        return builder(user).build();
    }

    private static SwitchboardClient.Builder builder(String user) {
        return SwitchboardClient.builder()
                .url(cluster.webSocketUri(0))
                .tokenProvider(() -> CompletableFuture.completedFuture(TOKENS.token(user, "sdk:*")))
                .scheduler(scheduler)
                .httpClient(http)
                .backoffInitial(Duration.ofMillis(200))
                .backoffMax(Duration.ofSeconds(2));
    }

    private static String text(Message message) {
        return message.getPayload().toString(StandardCharsets.UTF_8);
    }

    @Test
    void publishesAreAcknowledgedAndSurviveADroppedConnectionExactlyOnceInOrder() throws Exception {
        String room = "sdk:e2e";
        List<String> aliceSees = new CopyOnWriteArrayList<>();
        List<String> bobSees = new CopyOnWriteArrayList<>();
        List<StateChange> bobStates = new CopyOnWriteArrayList<>();
        CuttableConnector bobsConnections = new CuttableConnector(http);
        try (SwitchboardClient alice = client("alice");
             SwitchboardClient bob = builder("bob").transportConnector(bobsConnections).build()) {
            bob.addStateListener(bobStates::add);
            alice.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            bob.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            alice.subscribe(room, m -> aliceSees.add(text(m))).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            bob.subscribe(room, m -> bobSees.add(text(m))).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);

            List<String> sent = new ArrayList<>();
            long lastPosition = -1;
            for (int i = 0; i < 5; i++) {
                String body = "before-" + i;
                Ack ack = alice.publish(room, body.getBytes(StandardCharsets.UTF_8)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(ack.getPosition()).isGreaterThan(lastPosition);
                lastPosition = ack.getPosition();
                sent.add(body);
            }
            await().atMost(WAIT).until(() -> aliceSees.size() == 5 && bobSees.size() == 5);
            assertThat(aliceSees).containsExactlyElementsOf(sent);
            assertThat(bobSees).containsExactlyElementsOf(sent);

            // Cut bob's socket as a network failure would, and publish while he is away.
            bobsConnections.cut();
            for (int i = 0; i < 10; i++) {
                String body = "during-" + i;
                alice.publish(room, body.getBytes(StandardCharsets.UTF_8)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                sent.add(body);
            }
            await().atMost(WAIT).until(() -> bobSees.size() >= sent.size() && aliceSees.size() >= sent.size());
            assertThat(bobStates).extracting(StateChange::current).contains(ConnectionState.RECONNECTING);
            assertThat(bob.state()).isEqualTo(ConnectionState.CONNECTED);

            // One more after the reconnect: it arrives live, right after the recovered ones, and nothing twice.
            alice.publish(room, "after".getBytes(StandardCharsets.UTF_8)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            sent.add("after");
            await().atMost(WAIT).until(() -> bobSees.size() >= sent.size());
            assertThat(bobSees).containsExactlyElementsOf(sent);
            assertThat(aliceSees).containsExactlyElementsOf(sent);
        }
    }

    @Test
    void aFileInterruptedByADroppedConnectionArrivesOnceAndIntactOnAnotherClient() throws Exception {
        String room = "sdk:files";
        byte[] data = new byte[20 * 16 * 1024 + 123]; // 21 chunks of 16 KiB, the last one short
        new java.util.SplittableRandom(16).nextBytes(data);
        FileTransferTest.Recorder toBob = new FileTransferTest.Recorder();
        List<FileProgress> aliceProgress = new CopyOnWriteArrayList<>();
        List<StateChange> aliceStates = new CopyOnWriteArrayList<>();
        CuttableConnector alicesConnections = new CuttableConnector(http);
        // Paced slowly (64 KiB/s) so that the cut lands in the middle of the transfer.
        try (SwitchboardClient alice = builder("alice").transportConnector(alicesConnections)
                .fileChunkBytes(16 * 1024).fileBytesPerSecond(64 * 1024).build();
             SwitchboardClient bob = client("bob")) {
            alice.addStateListener(aliceStates::add);
            alice.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            bob.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            bob.subscribe(room, toBob).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);

            FileTransfer transfer = alice.sendFile(room, "photo.png", "image/png", data, aliceProgress::add);
            await().atMost(WAIT).until(() -> aliceProgress.size() >= 4);
            assertThat(transfer.done()).isNotDone();
            alicesConnections.cut();

            assertThat(transfer.done().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(transfer.manifest());
            assertThat(aliceStates).extracting(StateChange::current).contains(ConnectionState.RECONNECTING);
            await().atMost(WAIT).until(() -> !toBob.files.isEmpty());
            assertThat(toBob.files).singleElement().satisfies(file -> {
                assertThat(file.data()).isEqualTo(data);
                assertThat(file.sender()).isEqualTo("alice");
                assertThat(file.manifest().name()).isEqualTo("photo.png");
                assertThat(file.manifest().contentType()).isEqualTo("image/png");
                assertThat(file.manifest().chunks()).isEqualTo(21);
            });
            assertThat(aliceProgress.getLast().complete()).isTrue();
            assertThat(toBob.incomplete).isEmpty();
            assertThat(toBob.messages).isEmpty(); // manifest and chunks are the SDK's, not the application's
            // Stored like any message (history is written behind delivery, so wait for it): the manifest first, every
            // chunk once.
            AtomicReference<List<Message>> stored = new AtomicReference<>(List.of());
            await().atMost(WAIT).until(() -> {
                stored.set(bob.history(room, io.switchboard.proto.client.v1.HistoryDirection.LATEST, 0, 100)
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS).getMessagesList());
                return stored.get().size() >= 22;
            });
            assertThat(stored.get()).extracting(Message::getId).doesNotHaveDuplicates().hasSize(22)
                    .first().isEqualTo(transfer.manifest().fileId());
        }
    }

    @Test
    void aBurstArrivesInFewerWebSocketMessagesWithBatchingAsTheSameMessagesInOrder() throws Exception {
        String room = "sdk:batch";
        int burst = 200;
        CountingConnector bobsWire = new CountingConnector(http, true);
        CountingConnector carolsWire = new CountingConnector(http, false);
        List<Message> bobSees = new CopyOnWriteArrayList<>();
        List<Message> carolSees = new CopyOnWriteArrayList<>();
        try (SwitchboardClient alice = client("alice");
             SwitchboardClient bob = builder("bob").transportConnector(bobsWire).build();
             SwitchboardClient carol = builder("carol").transportConnector(carolsWire).build()) {
            alice.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            bob.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            carol.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            bob.subscribe(room, bobSees::add).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            carol.subscribe(room, carolSees::add).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            int bobBefore = bobsWire.messages();
            int carolBefore = carolsWire.messages();

            List<CompletableFuture<Ack>> acks = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                acks.add(alice.publish(room, ("b" + i).getBytes(StandardCharsets.UTF_8)));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> bobSees.size() >= burst && carolSees.size() >= burst);

            // The order the room stored them in (publishes in flight together may be stored in any order).
            List<Long> stored = acks.stream().map(a -> a.join().getPosition()).sorted().toList();
            assertThat(carolSees).extracting(Message::getPosition).containsExactlyElementsOf(stored);
            assertThat(bobSees).as("with batching, the same messages in the same order").containsExactlyElementsOf(carolSees);
            assertThat(carolsWire.messages() - carolBefore).as("one WebSocket message per message without batching")
                    .isGreaterThanOrEqualTo(burst);
            assertThat(bobsWire.messages() - bobBefore).as("WebSocket messages for %d messages with batching", burst)
                    .isLessThan(burst);
        }
    }

    @Test
    void pagesHistory() throws Exception {
        String room = "sdk:history";
        try (SwitchboardClient carol = client("carol")) {
            carol.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) {
                carol.publish(room, ("h" + i).getBytes(StandardCharsets.UTF_8)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            await().atMost(WAIT).until(() -> carol.history(room, io.switchboard.proto.client.v1.HistoryDirection.LATEST, 0, 10)
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS).getMessagesCount() == 3);
            assertThat(carol.history(room, io.switchboard.proto.client.v1.HistoryDirection.LATEST, 0, 10).get()
                    .getMessagesList()).extracting(ClientEndToEndTest::text).containsExactly("h0", "h1", "h2");
        }
    }

    @Test
    void aFallbackClientPublishesWithAcksAndSeesItsOwnAndTheWebSocketsMessages() throws Exception {
        String room = "sdk:sse";
        List<String> streamSees = new CopyOnWriteArrayList<>();
        List<String> socketSees = new CopyOnWriteArrayList<>();
        try (SwitchboardClient stream = builder("sam").httpFallback(true).build();
             SwitchboardClient socket = builder("wes").build()) {
            stream.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            socket.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            stream.subscribe(room, m -> streamSees.add(text(m))).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            socket.subscribe(room, m -> socketSees.add(text(m))).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);

            Ack first = stream.publish(room, "from-stream".getBytes(StandardCharsets.UTF_8))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Ack second = socket.publish(room, "from-socket".getBytes(StandardCharsets.UTF_8))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(second.getPosition()).isGreaterThan(first.getPosition());
            await().atMost(WAIT).until(() -> streamSees.size() == 2 && socketSees.size() == 2);
            assertThat(streamSees).containsExactly("from-stream", "from-socket");
            assertThat(socketSees).containsExactly("from-stream", "from-socket");
        }
    }

    @Test
    void aDroppedStreamIsResumedOnANewOneExactlyOnceInOrder() throws Exception {
        String room = "sdk:sse-resume";
        List<String> seen = new CopyOnWriteArrayList<>();
        CuttableConnector streams = new CuttableConnector(new SseConnector(http, Duration.ofSeconds(10),
                Scheduler.of(scheduler), SseConnector.DEFAULT_CLOSE_WAIT));
        try (SwitchboardClient publisher = builder("pat").build();
             SwitchboardClient reader = builder("rae").transportConnector(streams).build()) {
            publisher.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            reader.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            reader.subscribe(room, m -> seen.add(text(m))).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                sent.add(publish(publisher, room, "before-" + i));
            }
            await().atMost(WAIT).until(() -> seen.size() == 3);

            streams.cut();
            for (int i = 0; i < 5; i++) {
                sent.add(publish(publisher, room, "during-" + i));
            }
            await().atMost(WAIT).until(() -> seen.size() >= sent.size()
                    && reader.state() == ConnectionState.CONNECTED);
            sent.add(publish(publisher, room, "after"));
            await().atMost(WAIT).until(() -> seen.size() >= sent.size());
            assertThat(seen).containsExactlyElementsOf(sent);
        }
    }

    @Test
    void aClientFarBehindResumesEveryMissedMessageOnceInOrder() throws Exception {
        String room = "sdk:deep";
        int missed = 1_500; // more than the 1,000 at which a resume used to give up (TOO_FAR_BEHIND)
        List<String> seen = new CopyOnWriteArrayList<>();
        List<RecoveryFailure> failures = new CopyOnWriteArrayList<>();
        CuttableConnector network = new CuttableConnector(http);
        try (SwitchboardClient publisher = client("pia");
             SwitchboardClient reader = builder("rex").transportConnector(network).build()) {
            publisher.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            reader.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            reader.subscribe(room, new RoomListener() {
                @Override
                public void onMessage(Message message) {
                    seen.add(text(message));
                }

                @Override
                public void onRecoveryFailure(RecoveryFailure failure) {
                    failures.add(failure);
                }
            }).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            List<String> sent = new ArrayList<>();
            sent.add(publish(publisher, room, "before"));
            await().atMost(WAIT).until(() -> seen.size() == 1);

            // The reader stays away until every message is stored: its resume must replay all of them.
            network.cutAndStayDown();
            for (int i = 0; i < missed; i += 50) {
                List<CompletableFuture<Ack>> window = new ArrayList<>();
                for (int j = i; j < i + 50; j++) {
                    String body = "missed-" + j;
                    window.add(publisher.publish(room, body.getBytes(StandardCharsets.UTF_8)));
                    sent.add(body);
                }
                CompletableFuture.allOf(window.toArray(CompletableFuture[]::new))
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            network.restore();
            await().atMost(WAIT).until(() -> seen.size() >= sent.size());
            assertThat(reader.state()).isEqualTo(ConnectionState.CONNECTED);
            sent.add(publish(publisher, room, "after"));
            await().atMost(WAIT).until(() -> seen.size() >= sent.size());
            assertThat(seen).containsExactlyElementsOf(sent);
            assertThat(failures).isEmpty();
        }
    }

    private static String publish(SwitchboardClient c, String room, String body) throws Exception {
        c.publish(room, body.getBytes(StandardCharsets.UTF_8)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return body;
    }

    @Test
    void anOfflineUsersDevicesEachReceiveTheirStoredDirectMessagesOnceInOrderAcrossReconnects() throws Exception {
        CuttableConnector phoneNetwork = new CuttableConnector(http);
        List<String> sent = new ArrayList<>();
        try (SwitchboardClient alice = client("ann")) {
            alice.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // Pipelined while dan has never connected: stored in the order sent.
            List<CompletableFuture<Ack>> acks = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                acks.add(alice.sendToUser("dan", "dm-" + i, ("hello " + i).getBytes(StandardCharsets.UTF_8),
                        "text/plain", true));
                sent.add("hello " + i);
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(acks).allSatisfy(ack -> assertThat(ack.join().getRoom()).isEqualTo("inbox:dan"));

            List<Message> phoneSees = new CopyOnWriteArrayList<>();
            List<String> laptopSees = new CopyOnWriteArrayList<>();
            try (SwitchboardClient phone = builder("dan").transportConnector(phoneNetwork).build();
                 SwitchboardClient laptop = client("dan")) {
                phone.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                laptop.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                phone.subscribeInbox(phoneSees::add).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                laptop.subscribeInbox(m -> laptopSees.add(text(m))).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                await().atMost(WAIT).until(() -> phoneSees.size() >= sent.size() && laptopSees.size() >= sent.size());
                assertThat(phoneSees).extracting(ClientEndToEndTest::text).containsExactlyElementsOf(sent);
                assertThat(phoneSees).extracting(Message::getSender).containsOnly("ann");
                assertThat(laptopSees).containsExactlyElementsOf(sent);

                // The phone loses its network; what is sent meanwhile arrives once after its reconnect.
                phoneNetwork.cutAndStayDown();
                for (int i = 5; i <= 6; i++) {
                    alice.sendToUser("dan", "dm-" + i, ("hello " + i).getBytes(StandardCharsets.UTF_8), "text/plain",
                            true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    sent.add("hello " + i);
                }
                // A retry of a stored one (same id) is not stored again.
                assertThat(alice.sendToUser("dan", "dm-6", "hello 6".getBytes(StandardCharsets.UTF_8), "text/plain",
                        true).get(WAIT.toSeconds(), TimeUnit.SECONDS).getDuplicate()).isTrue();
                phoneNetwork.restore();
                await().atMost(WAIT).until(() -> phoneSees.size() >= sent.size() && laptopSees.size() >= sent.size());
                assertThat(phoneSees).extracting(ClientEndToEndTest::text).containsExactlyElementsOf(sent);
                assertThat(laptopSees).containsExactlyElementsOf(sent);
            }

            // The phone's application restarts with the position it kept: it receives only what came after.
            Message last = phoneSees.getLast();
            alice.sendToUser("dan", "dm-7", "hello 7".getBytes(StandardCharsets.UTF_8), "text/plain", true)
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            List<String> restartedSees = new CopyOnWriteArrayList<>();
            try (SwitchboardClient restarted = client("dan")) {
                restarted.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                restarted.subscribeInbox(io.switchboard.proto.client.v1.ResumeFrom.newBuilder()
                                .setNextPosition(last.getPosition() + 1).setEpoch(last.getEpoch()).build(),
                        m -> restartedSees.add(text(m))).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                await().atMost(WAIT).until(() -> !restartedSees.isEmpty());
                alice.sendToUser("dan", "dm-8", "hello 8".getBytes(StandardCharsets.UTF_8), "text/plain", true)
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                await().atMost(WAIT).until(() -> restartedSees.size() >= 2);
                assertThat(restartedSees).containsExactly("hello 7", "hello 8");
            }
        }
    }

    @Test
    void storedDirectMessagesSentAcrossACutConnectionReachTheInboxOnceInSendOrder() throws Exception {
        CuttableConnector halsNetwork = new CuttableConnector(http);
        List<String> sent = new ArrayList<>();
        List<CompletableFuture<Ack>> acks = new ArrayList<>();
        try (SwitchboardClient hal = builder("hal").transportConnector(halsNetwork).build()) {
            hal.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // Pipelined, and the connection is cut while they are on their way (or not yet sent).
            for (int i = 0; i < 5; i++) {
                sent.add("before-" + i);
                acks.add(hal.sendToUser("ivy", sent.getLast().getBytes(StandardCharsets.UTF_8), "text/plain", true));
            }
            halsNetwork.cutAndStayDown();
            // Offline: queued, not failed.
            for (int i = 0; i < 5; i++) {
                sent.add("offline-" + i);
                acks.add(hal.sendToUser("ivy", sent.getLast().getBytes(StandardCharsets.UTF_8), "text/plain", true));
            }
            assertThat(acks.subList(5, 10)).allSatisfy(ack -> assertThat(ack).isNotDone());
            halsNetwork.restore();
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(acks).extracting(CompletableFuture::join).allSatisfy(ack -> assertThat(ack.getRoom()).isEqualTo("inbox:ivy"));
        assertThat(acks).extracting(ack -> ack.join().getPosition()).as("stored in send order").isSorted().doesNotHaveDuplicates();

        List<Message> ivySees = new CopyOnWriteArrayList<>();
        try (SwitchboardClient ivy = client("ivy"); SwitchboardClient hal = client("hal")) {
            ivy.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            hal.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            ivy.subscribeInbox(ivySees::add).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // One more, live: everything before it has arrived when it does, and nothing twice.
            sent.add("after");
            hal.sendToUser("ivy", "after".getBytes(StandardCharsets.UTF_8), "text/plain", true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> ivySees.stream().anyMatch(m -> text(m).equals("after")));
            assertThat(ivySees).extracting(ClientEndToEndTest::text).containsExactlyElementsOf(sent);
            assertThat(ivySees).extracting(Message::getSender).containsOnly("hal");
        }
    }

    @Test
    void filesToAnOfflineUserArriveOnceAndIntactInTheirInboxAlsoWhenTheTransferWasCut() throws Exception {
        byte[] small = new byte[2 * 16 * 1024 + 5]; // 3 chunks
        byte[] large = new byte[20 * 16 * 1024 + 123]; // 21 chunks, the last one short
        new java.util.SplittableRandom(17).nextBytes(small);
        new java.util.SplittableRandom(18).nextBytes(large);
        List<FileProgress> progress = new CopyOnWriteArrayList<>();
        List<StateChange> kimsStates = new CopyOnWriteArrayList<>();
        CuttableConnector kimsNetwork = new CuttableConnector(http);
        FileTransfer first;
        FileTransfer second;
        // Paced slowly (64 KiB/s) so that the cut lands in the middle of the second transfer; jon never connected.
        try (SwitchboardClient kim = builder("kim").transportConnector(kimsNetwork)
                .fileChunkBytes(16 * 1024).fileBytesPerSecond(64 * 1024).build()) {
            kim.addStateListener(kimsStates::add);
            kim.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            first = kim.sendFileToUser("jon", "notes.txt", "text/plain", small, FileProgressListener.NONE);
            assertThat(first.done().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(first.manifest());
            assertThat(first.room()).isEqualTo("inbox:jon");

            second = kim.sendFileToUser("jon", "photo.png", "image/png", large, progress::add);
            await().atMost(WAIT).until(() -> progress.size() >= 4);
            assertThat(second.done()).isNotDone();
            kimsNetwork.cut();
            assertThat(second.done().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(second.manifest());
            assertThat(kimsStates).extracting(StateChange::current).contains(ConnectionState.RECONNECTING);
            assertThat(progress.getLast().complete()).isTrue();
        }

        FileTransferTest.Recorder toJon = new FileTransferTest.Recorder();
        try (SwitchboardClient jon = client("jon"); SwitchboardClient kim = client("kim")) {
            jon.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            kim.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            jon.subscribeInbox(toJon).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // A stored message after the files: once it is in, so is everything before it.
            kim.sendToUser("jon", "done".getBytes(StandardCharsets.UTF_8), "text/plain", true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> !toJon.messages.isEmpty());
            assertThat(toJon.messages).extracting(ClientEndToEndTest::text).as("manifests and chunks are not the application's")
                    .containsExactly("done");
            assertThat(toJon.files).hasSize(2);
            assertThat(toJon.files.get(0)).satisfies(file -> {
                assertThat(file.data()).isEqualTo(small);
                assertThat(file.manifest()).isEqualTo(first.manifest());
            });
            assertThat(toJon.files.get(1)).satisfies(file -> {
                assertThat(file.data()).isEqualTo(large);
                assertThat(file.manifest().name()).isEqualTo("photo.png");
                assertThat(file.manifest().chunks()).isEqualTo(21);
            });
            assertThat(toJon.files).allSatisfy(file -> {
                assertThat(file.sender()).isEqualTo("kim");
                assertThat(file.room()).isEqualTo("inbox:jon");
            });
            assertThat(toJon.incomplete).isEmpty();

            // The inbox's history holds every message once; the application's own assembler puts its files together.
            String inbox = jon.session().getInbox();
            AtomicReference<List<Message>> stored = new AtomicReference<>(List.of());
            await().atMost(WAIT).until(() -> {
                stored.set(jon.history(inbox, io.switchboard.proto.client.v1.HistoryDirection.LATEST, 0, 100)
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS).getMessagesList());
                return stored.get().size() >= 4 + 22 + 1;
            });
            assertThat(stored.get()).extracting(Message::getId).doesNotHaveDuplicates().hasSize(4 + 22 + 1);
            List<ReceivedFile> fromHistory = new ArrayList<>();
            List<String> others = new ArrayList<>();
            try (FileAssembler assembler = jon.fileAssembler(fromHistory::add)) {
                for (Message message : stored.get()) {
                    if (!assembler.accept(message)) {
                        others.add(text(message));
                    }
                }
            }
            assertThat(others).containsExactly("done");
            assertThat(fromHistory).extracting(ReceivedFile::data).containsExactly(small, large);
        }
    }
}
