package io.switchboard.router.api;

import io.switchboard.router.RouterConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServiceAuthTest {
    private final ApiHarness harness = ApiHarness.standard();
    private final PublishRequest publish = PublishRequest.newBuilder().setRoom("chat:a").setId("m-1").build();

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void noTokenIsUnauthenticated() {
        assertThatThrownBy(() -> harness.blocking(null).publish(publish))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).contains("authorization header is required");
                });
        assertThat(harness.router.published).isEmpty();
        assertThat(harness.service.metrics().calls("Publish", Status.Code.UNAUTHENTICATED)).isEqualTo(1);
    }

    @Test
    void badSignatureIsUnauthenticated() {
        String forged = Tokens.sign(Tokens.OTHER_SECRET, "billing", "publish", ApiHarness.NOW.plusSeconds(300));
        assertThatThrownBy(() -> harness.blocking(forged).publish(publish))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("bad signature");
                });
        assertThat(harness.router.published).isEmpty();
    }

    @Test
    void expiredTokenIsUnauthenticatedBeyondTheClockSkew() {
        String expired = Tokens.sign(Tokens.SECRET, "billing", "publish", ApiHarness.NOW.minusSeconds(31));
        assertThatThrownBy(() -> harness.blocking(expired).publish(publish))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("token expired");
                });
        // Within the 30 s skew it is still accepted.
        String justExpired = Tokens.sign(Tokens.SECRET, "billing", "publish", ApiHarness.NOW.minusSeconds(29));
        assertThat(harness.blocking(justExpired).publish(publish).getPosition()).isEqualTo(100);
    }

    @Test
    void tokenWithoutSubjectIsUnauthenticated() {
        String anonymous = Tokens.sign(Tokens.SECRET, null, "publish", ApiHarness.NOW.plusSeconds(300));
        assertThatThrownBy(() -> harness.blocking(anonymous).publish(publish))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("claim 'sub' is required");
                });
    }

    @Test
    void wrongScopeIsPermissionDeniedNamingThePermission() {
        String reader = ApiHarness.token("read");
        assertThatThrownBy(() -> harness.blocking(reader).publish(publish))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).contains("'publish'").contains("Publish");
                });
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
                assertThatThrownBy(() -> withJwks.blocking(unknown).publish(publish))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                            assertThat(e.getStatus().getDescription()).startsWith("no key for this token (kid svc-unknown");
                        });
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
                assertThatThrownBy(() -> withJwks.blocking(token).publish(publish))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                            assertThat(e.getStatus().getDescription()).isEqualTo("service token keys unavailable; retry");
                        });
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
