package io.switchboard.router.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.api.v1.PublishRequest;
import io.switchboard.proto.api.v1.PublishResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PublishStreamTest {
    private ApiHarness harness;

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
    }

    private ApiHarness start(int window, ApiRateLimiter limiter) {
        harness = new ApiHarness(ApiHarness.config(b -> b.set(ApiKeys.STREAM_WINDOW, window)), limiter, true);
        return harness;
    }

    private static ApiRateLimiter unlimited() {
        return new ApiRateLimiter(1_000_000, Duration.ofSeconds(1));
    }

    private static PublishRequest message(String id) {
        return PublishRequest.newBuilder().setRoom("chat:a").setId(id).setPayload(ByteString.copyFromUtf8(id)).build();
    }

    private StreamObserver<PublishRequest> open(ResultCollector results) {
        return harness.async(ApiHarness.token("publish")).publishStream(results);
    }

    /** Holds the router's publishes, opens a stream and sends m-0 up to m-(count - 1) on it. */
    private StreamObserver<PublishRequest> openHeld(ResultCollector results, int count) {
        harness.router.hold();
        StreamObserver<PublishRequest> stream = open(results);
        IntStream.range(0, count).forEach(i -> stream.onNext(message("m-" + i)));
        return stream;
    }

    @Test
    void neverReadsMoreThanTheWindowAheadOfTheAcks() throws Exception {
        start(8, unlimited());
        ResultCollector results = new ResultCollector();
        StreamObserver<PublishRequest> stream = openHeld(results, 30);

        await().until(() -> harness.router.heldCount() == 8);
        assertThat(harness.requested.get()).isEqualTo(8);
        assertThat(results.size()).isZero();

        // The fake may receive the window's calls in any order: release the first three by id.
        harness.router.release("m-0", "m-1", "m-2");
        await().until(() -> results.size() == 3 && harness.router.heldCount() == 8);
        assertThat(harness.requested.get()).isEqualTo(11);
        assertThat(harness.router.maxHeld()).isEqualTo(8);

        harness.router.releaseAllNewestFirst();
        stream.onCompleted();
        assertThat(results.ended.get(10, TimeUnit.SECONDS).isOk()).isTrue();
        assertThat(results.results).extracting(PublishResult::getId)
                .containsExactlyElementsOf(IntStream.range(0, 30).mapToObj(i -> "m-" + i).toList());
        assertThat(harness.router.maxHeld()).isEqualTo(8);
        assertThat(harness.router.published).hasSize(30);
    }

    @Test
    void resultsComeInRequestOrderWhenPublishesCompleteOutOfOrder() throws Exception {
        start(16, unlimited());
        ResultCollector results = new ResultCollector();
        StreamObserver<PublishRequest> stream = openHeld(results, 10);
        await().until(() -> harness.router.heldCount() == 10);

        harness.router.releaseAllNewestFirst();
        stream.onCompleted();

        assertThat(results.ended.get(10, TimeUnit.SECONDS).isOk()).isTrue();
        assertThat(results.results).extracting(PublishResult::getId)
                .containsExactly("m-0", "m-1", "m-2", "m-3", "m-4", "m-5", "m-6", "m-7", "m-8", "m-9");
        assertThat(results.results).allSatisfy(r -> assertThat(r.getPosition())
                .isEqualTo(harness.router.positionOf("service:billing", r.getId())));
        assertThat(results.results).extracting(PublishResult::getPosition).doesNotHaveDuplicates();
        assertThat(results.results).allSatisfy(r -> {
            assertThat(r.getEpoch()).isEqualTo(FakeRouter.EPOCH);
            assertThat(r.getErrorCode()).isZero();
        });
    }

    @Test
    void resendAfterACutWithTheSameIdsIsRecognisedAsDuplicates() throws Exception {
        start(16, unlimited());
        ResultCollector first = new ResultCollector();
        StreamObserver<PublishRequest> stream = openHeld(first, 10);
        await().until(() -> harness.router.heldCount() == 10);
        harness.router.release("m-0", "m-1", "m-2", "m-3");
        await().until(() -> first.size() == 4);

        stream.onError(Status.UNAVAILABLE.withDescription("connection cut").asRuntimeException());
        assertThat(first.ended.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
        harness.router.stopHolding();

        // Reconnect and resend everything that had no result, with the same ids.
        ResultCollector second = new ResultCollector();
        StreamObserver<PublishRequest> again = open(second);
        IntStream.range(4, 10).forEach(i -> again.onNext(message("m-" + i)));
        again.onCompleted();

        assertThat(second.ended.get(10, TimeUnit.SECONDS).isOk()).isTrue();
        assertThat(first.results).extracting(PublishResult::getDuplicate).containsOnly(false);
        assertThat(second.results).extracting(PublishResult::getId)
                .containsExactly("m-4", "m-5", "m-6", "m-7", "m-8", "m-9");
        assertThat(second.results).extracting(PublishResult::getDuplicate).containsOnly(true);
        // The original positions, assigned when the cut stream's publishes were stored.
        assertThat(second.results).allSatisfy(r -> assertThat(r.getPosition())
                .isEqualTo(harness.router.positionOf("service:billing", r.getId())));
        assertThat(harness.router.published).hasSize(16);
        assertThat(harness.router.published).extracting(e -> e.getSender().getUserId())
                .containsOnly("service:billing");
    }

    @Test
    void anInvalidMessageFailsAloneAndTheStreamGoesOn() throws Exception {
        start(16, unlimited());
        ResultCollector results = new ResultCollector();
        StreamObserver<PublishRequest> stream = open(results);
        stream.onNext(message("m-1"));
        stream.onNext(message("bad id!"));
        stream.onNext(message(""));
        stream.onNext(message("m-2"));
        stream.onCompleted();

        assertThat(results.ended.get(10, TimeUnit.SECONDS).isOk()).isTrue();
        List<PublishResult> r = results.results;
        assertThat(r).extracting(PublishResult::getId).containsExactly("m-1", "bad id!", "", "m-2");
        assertThat(r).extracting(PublishResult::getErrorCode)
                .containsExactly(0, Status.Code.INVALID_ARGUMENT.value(), Status.Code.INVALID_ARGUMENT.value(), 0);
        assertThat(r.get(1).getErrorMessage()).startsWith("id:");
        assertThat(r.get(2).getErrorMessage()).isEqualTo("id is required");
        assertThat(r.get(1).getPosition()).isZero();
        assertThat(harness.router.published).hasSize(2);
    }

    @Test
    void routerFailuresAreResultsWithTheRouterStatus() throws Exception {
        start(16, unlimited());
        harness.router.failWith.set(Status.UNAVAILABLE.withDescription("kafka did not acknowledge"));
        ResultCollector results = new ResultCollector();
        StreamObserver<PublishRequest> stream = open(results);
        stream.onNext(message("m-1"));
        stream.onCompleted();

        assertThat(results.ended.get(10, TimeUnit.SECONDS).isOk()).isTrue();
        assertThat(results.results).singleElement().satisfies(r -> {
            assertThat(r.getErrorCode()).isEqualTo(Status.Code.UNAVAILABLE.value());
            assertThat(r.getErrorMessage()).isEqualTo("kafka did not acknowledge");
        });
    }

    @Test
    void exceedingTheRateLimitEndsTheStreamAfterEarlierResultsWithRetryInfo() throws Exception {
        start(16, new ApiRateLimiter(3, Duration.ofHours(1)));
        ResultCollector results = new ResultCollector();
        StreamObserver<PublishRequest> stream = open(results);
        IntStream.range(0, 5).forEach(i -> stream.onNext(message("m-" + i)));

        Status ended = results.ended.get(10, TimeUnit.SECONDS);
        assertThat(ended.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(results.results).extracting(PublishResult::getId).containsExactly("m-0", "m-1", "m-2");
        com.google.rpc.Status detail = StatusProto.fromThrowable(results.error);
        assertThat(detail).isNotNull();
        assertThat(detail.getDetailsList()).anySatisfy(any -> {
            assertThat(any.is(RetryInfo.class)).isTrue();
            assertThat(any.unpack(RetryInfo.class).getRetryDelay().getSeconds()).isPositive();
        });
        assertThat(harness.router.published).hasSize(3);
        assertThat(harness.service.metrics().calls("PublishStream", Status.Code.RESOURCE_EXHAUSTED)).isEqualTo(1);
    }
}
