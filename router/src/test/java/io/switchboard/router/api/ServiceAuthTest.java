package io.switchboard.router.api;

import io.switchboard.router.RouterConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.switchboard.proto.api.v1.PublishRequest;
import io.switchboard.proto.api.v1.ReadHistoryRequest;
import io.switchboard.proto.api.v1.SwitchboardApiGrpc;
import io.switchboard.testkit.JwksServer;
import io.switchboard.testkit.TestTokens;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServiceAuthTest {
    private final ApiHarness harness = ApiHarness.standard();
    private final PublishRequest publish = PublishRequest.newBuilder().setRoom("chat:a").setId("m-1").build();

    @AfterEach
    void close() {
        harness.close();
    }

    /**
     * Publishing through {@code api} with {@code token} fails with a status of {@code code}; the returned assert is
     * on that status's description.
     */
    private AbstractStringAssert<?> assertPublishRefused(ApiHarness api, String token, Status.Code code) {
        Throwable thrown = catchThrowable(() -> api.blocking(token).publish(publish));
        assertThat(thrown).isInstanceOf(StatusRuntimeException.class);
        Status status = ((StatusRuntimeException) thrown).getStatus();
        assertThat(status.getCode()).isEqualTo(code);
        return assertThat(status.getDescription());
    }

    @Test
    void noTokenIsUnauthenticated() {
        assertPublishRefused(harness, null, Status.Code.UNAUTHENTICATED).contains("authorization header is required");
        assertThat(harness.router.published).isEmpty();
        assertThat(harness.service.metrics().calls("Publish", Status.Code.UNAUTHENTICATED)).isEqualTo(1);
    }

    @Test
    void badSignatureIsUnauthenticated() {
        String forged = Tokens.sign(Tokens.OTHER_SECRET, "billing", "publish", ApiHarness.NOW.plusSeconds(300));
        assertPublishRefused(harness, forged, Status.Code.UNAUTHENTICATED).isEqualTo("bad signature");
        assertThat(harness.router.published).isEmpty();
    }

    @Test
    void expiredTokenIsUnauthenticatedBeyondTheClockSkew() {
        String expired = Tokens.sign(Tokens.SECRET, "billing", "publish", ApiHarness.NOW.minusSeconds(31));
        assertPublishRefused(harness, expired, Status.Code.UNAUTHENTICATED).isEqualTo("token expired");
        // Within the 30 s skew it is still accepted.
        String justExpired = Tokens.sign(Tokens.SECRET, "billing", "publish", ApiHarness.NOW.minusSeconds(29));
        assertThat(harness.blocking(justExpired).publish(publish).getPosition()).isEqualTo(100);
    }

    @Test
    void tokenWithoutSubjectIsUnauthenticated() {
        String anonymous = Tokens.sign(Tokens.SECRET, null, "publish", ApiHarness.NOW.plusSeconds(300));
        assertPublishRefused(harness, anonymous, Status.Code.UNAUTHENTICATED).isEqualTo("claim 'sub' is required");
    }

    @Test
    void wrongScopeIsPermissionDeniedNamingThePermission() {
        String reader = ApiHarness.token("read");
        assertPublishRefused(harness, reader, Status.Code.PERMISSION_DENIED).contains("'publish'").contains("Publish");
        String publisher = ApiHarness.token("publish control");
        assertThatThrownBy(() -> harness.blocking(publisher).readHistory(
                ReadHistoryRequest.newBuilder().setRoom("chat:a").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).contains("'read'");
                });
        assertThat(harness.router.published).isEmpty();
        assertThat(harness.history.requests).isEmpty();
    }

    @Test
    void rightScopeReachesTheRouterAsTheService() {
        harness.blocking(ApiHarness.token("read publish")).publish(publish);
        assertThat(harness.router.published).singleElement()
                .satisfies(env -> assertThat(env.getSender().getUserId()).isEqualTo("service:billing"));
    }

    @Test
    void healthStaysUnauthenticated() {
        HealthCheckResponse response = HealthGrpc.newBlockingStub(harness.channel())
                .withDeadlineAfter(Duration.ofSeconds(10))
                .check(HealthCheckRequest.getDefaultInstance());
        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void everyApiMethodHasAPermission() {
        SwitchboardApiGrpc.getServiceDescriptor().getMethods().forEach(m ->
                assertThat(MethodPermissions.required(m.getFullMethodName())).as(m.getFullMethodName()).isPresent());
    }

    @Test
    void serviceTokensWithAKidAreVerifiedWithTheJwksUrlsKeys() {
        TestTokens es = TestTokens.es256("svc-1");
        TestTokens stranger = TestTokens.ed25519("svc-unknown");
        try (JwksServer jwks = JwksServer.start(List.of(es.publicJwk()))) {
            ApiHarness withJwks = harness(jwks);
            try {
                String good = es.token("billing", c -> c.claim("scope", "publish")
                        .issueTime(java.util.Date.from(ApiHarness.NOW))
                        .expirationTime(java.util.Date.from(ApiHarness.NOW.plusSeconds(300))));
                assertThat(withJwks.blocking(good).publish(publish).getPosition()).isEqualTo(100);
                String unknown = stranger.token("billing", c -> c.claim("scope", "publish")
                        .expirationTime(java.util.Date.from(ApiHarness.NOW.plusSeconds(300))));
                assertPublishRefused(withJwks, unknown, Status.Code.UNAUTHENTICATED)
                        .startsWith("no key for this token (kid svc-unknown");
            } finally {
                withJwks.close();
            }
        }
    }

    @Test
    void keysThatCannotBeReadAreUnavailableNotUnauthenticated() {
        TestTokens es = TestTokens.es256("svc-1");
        try (JwksServer jwks = JwksServer.start(List.of(es.publicJwk()))) {
            jwks.down(true);
            ApiHarness withJwks = harness(jwks);
            try {
                String token = es.token("billing", c -> c.claim("scope", "publish")
                        .expirationTime(java.util.Date.from(ApiHarness.NOW.plusSeconds(300))));
                assertPublishRefused(withJwks, token, Status.Code.UNAVAILABLE)
                        .isEqualTo("service token keys unavailable; retry");
                assertThat(withJwks.router.published).isEmpty();
            } finally {
                withJwks.close();
            }
        }
    }

    /** A harness whose service tokens are verified with the keys {@code jwks} serves. */
    private static ApiHarness harness(JwksServer jwks) {
        ApiConfig config = RouterConfig.builder().set(ApiKeys.ENABLED, true).set(ApiKeys.AUTH.jwksUrl, jwks.url())
                .build().api();
        return new ApiHarness(config, ApiRateLimiter.perSecond(1000), false);
    }
}
